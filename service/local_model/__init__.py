"""The embedded default model: which GGUF to serve (:mod:`.model`), the llama.cpp server's
lifecycle (:mod:`.server`), and child processes that die with their parent (:mod:`.childproc`).
May import: config, errors."""
