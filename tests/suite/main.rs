//! The integration tests, one crate so that `cargo test` links the
//! library into one test binary instead of one per file.

mod common;

mod bad_input;
mod breaks;
mod crashes;
mod data;
mod desk_attacks;
mod district;
mod embed;
mod font_collections;
mod fonts;
mod hostile;
mod import;
mod kinds;
mod layout;
mod markup;
mod module_graph;
mod next_year;
mod ofd;
mod page_references;
mod pagination;
mod render;
mod schema;
mod serve;
mod sum;
mod turned;
mod watch;
