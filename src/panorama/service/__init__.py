"""Service: cases, queues, SLA, call handling, knowledge base, field service."""
