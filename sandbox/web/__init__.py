"""Server-rendered HTML: the hosted pages an end customer sees, and the demo dashboard."""
