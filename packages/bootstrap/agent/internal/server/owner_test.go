package server

import (
	"fmt"
	"os"
	"syscall"
)

func statOwner(info os.FileInfo) string {
	if info == nil {
		return "none"
	}
	st := info.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}
