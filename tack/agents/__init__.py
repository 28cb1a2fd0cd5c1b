"""Tack for agents that do not write HTTP by hand: one registry of tools (tools.py)
served over MCP (stdio and /mcp), listed in TOOL.md and /llms.txt, and a CLI client."""
