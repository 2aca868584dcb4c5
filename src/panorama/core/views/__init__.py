"""The core's pages: the UI components page and the saved views of every list."""
