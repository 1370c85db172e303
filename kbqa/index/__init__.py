"""On-disk indexes: chunking, the BM25 + FAISS store with its manifest, the swap into place."""
