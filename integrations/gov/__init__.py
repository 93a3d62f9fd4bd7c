"""Government data sources: ports, sandbox and fake implementations, and the logging registry."""
