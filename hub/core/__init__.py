"""The domain core: the hub's rules. It imports no Flask, Socket.IO or APScheduler (a test enforces this)."""
