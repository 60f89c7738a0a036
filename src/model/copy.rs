//! The tile's words: the built-in copy and the platform's replacements, from the `capital-copy`
//! crate, which the reference backend's pages share.

pub use capital_copy::*;
