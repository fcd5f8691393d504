//! Writers: PDF from laid-out frames, DOCX straight from the document model.

pub mod docx;
pub mod pdf;
pub mod zip;
