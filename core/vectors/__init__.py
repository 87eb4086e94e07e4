"""The vector index: one vector per chunk, on disk, searched next to the library's text index.

    library_index  LibraryIndex: the vectors kept in step with the store's chunks table
    index          VectorIndex: snapshot + journal on disk, checkpoints and compaction
    memory         VectorSet: the graph and the delta searched together in memory
    graph          the HNSW graph and its rebuild on a background thread
    delta          exact search over the vectors added since the last snapshot
    journal        the files: manifest, snapshot, append-only journal
    hnswfile       a structural check of hnswlib's file before hnswlib reads it

Nothing is imported here: `core.vectors.library_index` is what the rest of core uses.
"""
