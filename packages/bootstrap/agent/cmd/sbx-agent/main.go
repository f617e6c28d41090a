// Command sbx-agent is sbx's in-sandbox agent: `sbx-agent init --socket PATH -- CMD...` serves the protocol in
// PROTOCOL.md on a unix socket and runs the sandbox's own command as its child (see init.go).
package main

import (
	"fmt"
	"os"

	"sbx.dev/agent/internal/server"
)

const usage = "usage: sbx-agent init --socket PATH -- CMD [ARG...] | sbx-agent version"

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "version" {
		fmt.Println(server.Name)
		return
	}
	if len(args) >= 1 && args[0] == "init" {
		socket, cmd, ok := parseInit(args[1:])
		if ok {
			os.Exit(runInit(socket, cmd))
		}
	}
	fmt.Fprintln(os.Stderr, usage)
	os.Exit(2)
}

// parseInit reads `--socket PATH -- CMD...` (also `--socket=PATH`).
func parseInit(args []string) (socket string, cmd []string, ok bool) {
	for i := 0; i < len(args); i++ {
		switch arg := args[i]; {
		case arg == "--":
			cmd = args[i+1:]
			return socket, cmd, socket != "" && len(cmd) > 0 && cmd[0] != ""
		case arg == "--socket" && i+1 < len(args):
			socket = args[i+1]
			i++
		case len(arg) > 9 && arg[:9] == "--socket=":
			socket = arg[9:]
		default:
			return "", nil, false
		}
	}
	return "", nil, false
}
