//! CAP 1.2 model shared by the `cap` and `sr-vma` kinds (stub).
