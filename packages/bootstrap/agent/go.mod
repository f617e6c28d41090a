module sbx.dev/agent

go 1.19
