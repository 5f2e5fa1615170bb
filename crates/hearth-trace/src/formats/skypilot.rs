//! Reader stub: to be replaced by the real reader.
