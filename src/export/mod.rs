//! Writers: PDF from laid-out frames, DOCX straight from the document model.

pub mod cff;
pub mod docx;
pub mod embed;
pub mod icc;
pub mod ofd;
pub mod otf;
pub mod pdf;
pub mod sign;
pub mod truetype;
pub mod zip;
