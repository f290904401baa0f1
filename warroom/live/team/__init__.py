"""Team mode: one incident shared by many consoles through Redis Streams.

The incident's log is already append-only and ordered; team mode replicates it. Every event
and every scored mention goes into the incident's streams; each console tails them and applies
them, in stream order, into its local store (the replica). One console holds the ingest lease:
it polls the sources, scores, decides the level and sends the notifications.
"""
