"""Everything that changes a Dockerfile: edit building blocks, the cache-mount planner, the COPY
reorder, the suppression quick fix, and fix-all."""
