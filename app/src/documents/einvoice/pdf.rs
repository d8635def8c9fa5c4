//! Finds the invoice XML embedded in a hybrid PDF (ZUGFeRD / Factur-X).
//!
//! PDF/A-3 attaches files twice over: the catalog's `/AF` array (associated
//! files) and the `/Names` → `/EmbeddedFiles` name tree. Producers do not
//! reliably write both, so both are searched. The attachment is recognised
//! by its file name, which the standards fix.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{
    decode_text_string, DecompressError, Dictionary, Document, LoadOptions, Object, ObjectId,
};

use super::error::EInvoiceError;

/// Largest PDF read, in bytes.
pub const MAX_PDF_BYTES: usize = 20 << 20;
/// Bound on what any one stream may inflate to (object streams while
/// loading, and the attachment itself); also the XML size limit.
const MAX_DECOMPRESSED_BYTES: usize = 8 << 20;
/// Most `/AF` entries looked at.
const MAX_ASSOCIATED_FILES: usize = 64;
/// Most file specifications collected from both sources together.
const MAX_FILE_SPECS: usize = 256;
/// Deepest `/Kids` nesting followed in the name tree.
const MAX_NAME_TREE_DEPTH: usize = 16;
/// How far into the file the `%PDF-` header may start (as PDF readers allow).
const HEADER_WINDOW: usize = 1024;

/// Attachment names of the invoice XML, compared case-insensitively:
/// Factur-X / ZUGFeRD 2.1+, ZUGFeRD 2.0 (and 1.0's "ZUGFeRD-invoice.xml"),
/// and XRechnung embedded per Factur-X 1.0.7.
const INVOICE_FILE_NAMES: &[&str] = &["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"];

/// The invoice attachment of a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The attachment's base name as written ("factur-x.xml").
    pub file_name: String,
    /// The attachment, decompressed.
    pub xml: Vec<u8>,
}

/// Whether `bytes` start like a PDF: `%PDF-` within the first 1024 bytes.
pub fn is_pdf(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(HEADER_WINDOW)];
    window.windows(5).any(|w| w == b"%PDF-")
}

/// The invoice XML attached to `pdf`, if there is one.
///
/// `Ok(None)` for a PDF without such an attachment, and for an encrypted PDF
/// (PDF/A-3, which ZUGFeRD requires, forbids encryption, so such a file is
/// not a valid e-invoice and its attachment is not trusted to be one).
pub fn embedded_invoice_xml(pdf: &[u8]) -> Result<Option<Embedded>, EInvoiceError> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(EInvoiceError::TooLarge);
    }
    if !is_pdf(pdf) {
        return Err(EInvoiceError::malformed("no PDF header"));
    }
    // lopdf is a large parser that has panicked on crafted input before; a
    // panic must not take down the request that uploaded the file. Nothing
    // shared is mutated inside, so unwind safety is not a concern.
    catch_unwind(AssertUnwindSafe(|| extract(pdf)))
        .unwrap_or_else(|_| Err(EInvoiceError::malformed("PDF could not be parsed")))
}

fn extract(pdf: &[u8]) -> Result<Option<Embedded>, EInvoiceError> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECOMPRESSED_BYTES),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(pdf, options).map_err(pdf_error)?;
    if document.is_encrypted() {
        return Ok(None);
    }
    let catalog = document
        .catalog()
        .map_err(|_| EInvoiceError::malformed("PDF has no catalog"))?;
    for spec in file_specs(&document, catalog) {
        if let Some(file_name) = invoice_file_name(&document, spec) {
            let xml = attachment_content(&document, spec)?;
            return Ok(Some(Embedded { file_name, xml }));
        }
    }
    Ok(None)
}

fn pdf_error(error: lopdf::Error) -> EInvoiceError {
    match error {
        lopdf::Error::Decompress(
            DecompressError::MemoryLimitExceeded { .. } | DecompressError::TooManyFilters { .. },
        ) => EInvoiceError::Limit("decompressed size"),
        other => EInvoiceError::malformed(other),
    }
}

/// Follows references; `None` for a dangling or too long chain.
fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

fn entry<'a>(document: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(document, dict.get(key).ok()?)
}

/// File specification dictionaries from `/AF` and the embedded files name
/// tree, in that order, each at most once.
fn file_specs<'a>(document: &'a Document, catalog: &'a Dictionary) -> Vec<&'a Dictionary> {
    let mut collector = SpecCollector {
        document,
        specs: Vec::new(),
        seen_specs: HashSet::new(),
        seen_nodes: HashSet::new(),
    };
    if let Some(Object::Array(files)) = entry(document, catalog, b"AF") {
        for file in files.iter().take(MAX_ASSOCIATED_FILES) {
            collector.add(file);
        }
    }
    if let Some(Object::Dictionary(names)) = entry(document, catalog, b"Names") {
        if let Ok(tree) = names.get(b"EmbeddedFiles") {
            collector.walk(tree, 0);
        }
    }
    collector.specs
}

struct SpecCollector<'a> {
    document: &'a Document,
    specs: Vec<&'a Dictionary>,
    /// Specs reached through a reference, so `/AF` and the name tree
    /// pointing at the same one yield it once.
    seen_specs: HashSet<ObjectId>,
    /// Name tree nodes already walked: `/Kids` may form a cycle.
    seen_nodes: HashSet<ObjectId>,
}

impl<'a> SpecCollector<'a> {
    fn add(&mut self, object: &'a Object) {
        if self.specs.len() >= MAX_FILE_SPECS {
            return;
        }
        let Ok((id, object)) = self.document.dereference(object) else {
            return;
        };
        if let Some(id) = id {
            if !self.seen_specs.insert(id) {
                return;
            }
        }
        if let Object::Dictionary(spec) = object {
            self.specs.push(spec);
        }
    }

    fn walk(&mut self, node: &'a Object, depth: usize) {
        if depth > MAX_NAME_TREE_DEPTH || self.specs.len() >= MAX_FILE_SPECS {
            return;
        }
        let Ok((id, node)) = self.document.dereference(node) else {
            return;
        };
        if let Some(id) = id {
            if !self.seen_nodes.insert(id) {
                return;
            }
        }
        let Object::Dictionary(node) = node else {
            return;
        };
        if let Some(Object::Array(names)) = entry(self.document, node, b"Names") {
            // [key1 value1 key2 value2 …]; a dangling odd key is ignored.
            for pair in names.chunks_exact(2) {
                self.add(&pair[1]);
            }
        }
        if let Some(Object::Array(kids)) = entry(self.document, node, b"Kids") {
            for kid in kids {
                self.walk(kid, depth + 1);
            }
        }
    }
}

/// The spec's base file name if it is one of the invoice names. `/UF` (the
/// Unicode name) is tried before `/F`; a name matching in either counts.
fn invoice_file_name(document: &Document, spec: &Dictionary) -> Option<String> {
    [&b"UF"[..], b"F"].iter().find_map(|key| {
        let name = decode_text_string(entry(document, spec, key)?).ok()?;
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name);
        INVOICE_FILE_NAMES
            .iter()
            .any(|known| base.eq_ignore_ascii_case(known))
            .then(|| base.to_owned())
    })
}

/// The decoded content of the spec's embedded file stream.
fn attachment_content(document: &Document, spec: &Dictionary) -> Result<Vec<u8>, EInvoiceError> {
    let Some(Object::Dictionary(embedded)) = entry(document, spec, b"EF") else {
        return Err(EInvoiceError::malformed(
            "invoice attachment has no content",
        ));
    };
    let stream = [&b"F"[..], b"UF"]
        .iter()
        .find_map(|key| match entry(document, embedded, key) {
            Some(Object::Stream(stream)) => Some(stream),
            _ => None,
        })
        .ok_or_else(|| EInvoiceError::malformed("invoice attachment has no content"))?;
    stream
        .get_plain_content_with_limit(MAX_DECOMPRESSED_BYTES)
        .map_err(pdf_error)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    fn found(pdf: &[u8]) -> Embedded {
        embedded_invoice_xml(pdf)
            .expect("readable PDF")
            .expect("an invoice attachment")
    }

    #[test]
    fn attachment_via_associated_files_only() {
        let pdf = pdf_with(&Attachment::new(Via::AssociatedFiles, CII_EN16931));
        let embedded = found(&pdf);
        assert_eq!(embedded.file_name, "factur-x.xml");
        assert_eq!(embedded.xml, CII_EN16931);
    }

    #[test]
    fn attachment_via_names_only() {
        let pdf = pdf_with(&Attachment::new(Via::Names, FACTURX_MINIMUM));
        assert_eq!(found(&pdf).xml, FACTURX_MINIMUM);
    }

    #[test]
    fn attachment_via_name_tree_kids() {
        let pdf = pdf_with(&Attachment::new(Via::NamesKids, CII_XRECHNUNG));
        assert_eq!(found(&pdf).xml, CII_XRECHNUNG);
    }

    #[test]
    fn attachment_via_both_is_found_once() {
        let pdf = pdf_with(&Attachment::new(Via::Both, CII_EN16931));
        assert_eq!(found(&pdf).xml, CII_EN16931);
    }

    #[test]
    fn flate_compressed_attachment() {
        let attachment = Attachment {
            flate: true,
            ..Attachment::new(Via::AssociatedFiles, UBL_XRECHNUNG_INVOICE)
        };
        let pdf = pdf_with(&attachment);
        // The XML is not in the file as plain text.
        assert!(!pdf.windows(12).any(|w| w == b"RE-2024-0042"));
        assert_eq!(found(&pdf).xml, UBL_XRECHNUNG_INVOICE);
    }

    #[test]
    fn utf16_unicode_name_with_directory() {
        let attachment = Attachment {
            file_name: "anhang.bin",
            unicode_name: Some("Rechnungsanhänge/factur-x.xml"),
            ..Attachment::new(Via::AssociatedFiles, CII_EN16931)
        };
        let pdf = pdf_with(&attachment);
        // pdf-writer writes a non-ASCII text string as UTF-16BE with BOM.
        assert!(pdf.windows(4).any(|w| w == b"FEFF"));
        assert_eq!(found(&pdf).file_name, "factur-x.xml");
    }

    #[test]
    fn names_are_matched_case_insensitively_on_the_base_name() {
        for (name, base) in [
            ("ZUGFeRD-invoice.xml", "ZUGFeRD-invoice.xml"),
            ("zugferd-invoice.xml", "zugferd-invoice.xml"),
            ("XRechnung.XML", "XRechnung.XML"),
            ("C:\\Export\\Factur-X.xml", "Factur-X.xml"),
        ] {
            let attachment = Attachment {
                file_name: name,
                unicode_name: None,
                ..Attachment::new(Via::Names, CII_EN16931)
            };
            assert_eq!(found(&pdf_with(&attachment)).file_name, base, "{name}");
        }
    }

    #[test]
    fn other_attachments_are_ignored() {
        for name in [
            "invoice.xml",
            "factur-x.xml.bak",
            "my-factur-x.xml",
            "factur-x.pdf",
        ] {
            let attachment = Attachment {
                file_name: name,
                unicode_name: Some(name),
                ..Attachment::new(Via::Both, CII_EN16931)
            };
            assert_eq!(
                embedded_invoice_xml(&pdf_with(&attachment)),
                Ok(None),
                "{name}"
            );
        }
    }

    #[test]
    fn pdf_without_attachments() {
        assert_eq!(embedded_invoice_xml(&plain_pdf()), Ok(None));
        let unregistered = pdf_with(&Attachment::new(Via::Nowhere, CII_EN16931));
        assert_eq!(embedded_invoice_xml(&unregistered), Ok(None));
    }

    /// Catalog, pages and page objects of a hand-assembled PDF.
    fn skeleton(catalog_extra: &str) -> Vec<(u32, Vec<u8>)> {
        vec![
            (
                1,
                format!("<< /Type /Catalog /Pages 2 0 R {catalog_extra} >>").into_bytes(),
            ),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
            ),
        ]
    }

    fn spec_object() -> (u32, Vec<u8>) {
        (
            4,
            b"<< /Type /Filespec /F (factur-x.xml) /EF << /F 5 0 R >> >>".to_vec(),
        )
    }

    #[test]
    fn name_tree_cycles_terminate() {
        let mut objects = skeleton("/Names << /EmbeddedFiles 6 0 R >>");
        objects.push(spec_object());
        objects.push((5, stream_body("", CII_EN16931)));
        // 6 → 7 → 6, 7 → 7, and the pair lives in 8, reached from 7.
        objects.push((6, b"<< /Kids [7 0 R 6 0 R] >>".to_vec()));
        objects.push((7, b"<< /Kids [6 0 R 7 0 R 8 0 R] >>".to_vec()));
        objects.push((8, b"<< /Names [(factur-x.xml) 4 0 R] >>".to_vec()));
        let pdf = assemble(&objects, "");
        assert_eq!(found(&pdf).xml, CII_EN16931);

        // A cycle with no attachment anywhere.
        let mut objects = skeleton("/Names << /EmbeddedFiles 6 0 R >>");
        objects.push((6, b"<< /Kids [7 0 R] >>".to_vec()));
        objects.push((7, b"<< /Kids [6 0 R] >>".to_vec()));
        assert_eq!(embedded_invoice_xml(&assemble(&objects, "")), Ok(None));
    }

    #[test]
    fn deep_name_trees_are_cut_off() {
        let mut objects = skeleton("/Names << /EmbeddedFiles 10 0 R >>");
        objects.push(spec_object());
        objects.push((5, stream_body("", CII_EN16931)));
        // A chain of 30 nodes with the pair at the bottom: past the depth limit.
        for n in 10..40 {
            objects.push((n, format!("<< /Kids [{} 0 R] >>", n + 1).into_bytes()));
        }
        objects.push((40, b"<< /Names [(factur-x.xml) 4 0 R] >>".to_vec()));
        assert_eq!(embedded_invoice_xml(&assemble(&objects, "")), Ok(None));
    }

    #[test]
    fn odd_and_dangling_entries_are_skipped() {
        let mut objects = skeleton(
            "/AF [99 0 R 3 0 R (text) 4 0 R] /Names << /EmbeddedFiles << /Names [(a) 98 0 R (b)] >> >>",
        );
        objects.push(spec_object());
        objects.push((5, stream_body("", CII_EN16931)));
        assert_eq!(found(&assemble(&objects, "")).xml, CII_EN16931);
    }

    #[test]
    fn matching_name_without_content_is_an_error() {
        let mut objects = skeleton("/AF [4 0 R]");
        objects.push((4, b"<< /Type /Filespec /F (factur-x.xml) >>".to_vec()));
        assert!(matches!(
            embedded_invoice_xml(&assemble(&objects, "")),
            Err(EInvoiceError::Malformed(_))
        ));
        let mut objects = skeleton("/AF [4 0 R]");
        objects.push(spec_object());
        objects.push((5, b"(not a stream)".to_vec()));
        assert!(matches!(
            embedded_invoice_xml(&assemble(&objects, "")),
            Err(EInvoiceError::Malformed(_))
        ));
    }

    #[test]
    fn deeply_nested_objects_do_not_overflow_the_stack() {
        for (open, close) in [("[", "]"), ("<< /A ", " >>")] {
            let nested = format!("{}0{}", open.repeat(100_000), close.repeat(100_000));
            let mut objects = skeleton(&format!("/AF [4 0 R] /X {nested}"));
            objects.push(spec_object());
            objects.push((5, stream_body("", CII_EN16931)));
            objects.push((6, nested.into_bytes()));
            // Refused or read, but no crash.
            let _ = embedded_invoice_xml(&assemble(&objects, ""));
        }
    }

    #[test]
    fn reference_chains_terminate() {
        // 4 → 6 → 7 → 6: the file spec is an endless chain of references.
        let mut objects = skeleton("/AF [4 0 R] /Names << /EmbeddedFiles << /Kids [6 0 R] >> >>");
        objects.push((4, b"6 0 R".to_vec()));
        objects.push((6, b"7 0 R".to_vec()));
        objects.push((7, b"6 0 R".to_vec()));
        assert_eq!(embedded_invoice_xml(&assemble(&objects, "")), Ok(None));
    }

    #[test]
    fn flate_bomb_is_refused() {
        let bomb = zlib(&vec![b' '; 9 << 20]);
        assert!(bomb.len() < 64 << 10);
        let mut objects = skeleton("/AF [4 0 R]");
        objects.push(spec_object());
        objects.push((5, stream_body("/Filter /FlateDecode", &bomb)));
        assert_eq!(
            embedded_invoice_xml(&assemble(&objects, "")),
            Err(EInvoiceError::Limit("decompressed size"))
        );
    }

    #[test]
    fn encrypted_pdfs_are_not_read() {
        let mut objects = skeleton("/AF [4 0 R]");
        objects.push(spec_object());
        objects.push((5, stream_body("", CII_EN16931)));
        objects.push((
            9,
            format!(
                "<< /Filter /Standard /V 1 /R 2 /P -44 /O <{}> /U <{}> >>",
                "11".repeat(32),
                "22".repeat(32)
            )
            .into_bytes(),
        ));
        let pdf = assemble(&objects, "/Encrypt 9 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]");
        assert_eq!(embedded_invoice_xml(&pdf), Ok(None));
    }

    #[test]
    fn not_a_pdf() {
        assert!(matches!(
            embedded_invoice_xml(b"hello"),
            Err(EInvoiceError::Malformed(_))
        ));
        let mut late_header = vec![b' '; HEADER_WINDOW];
        late_header.extend_from_slice(&plain_pdf());
        assert!(!is_pdf(&late_header));
        assert!(matches!(
            embedded_invoice_xml(&late_header),
            Err(EInvoiceError::Malformed(_))
        ));
    }

    #[test]
    fn garbage_after_header_is_an_error() {
        for garbage in [
            &b"%PDF-1.7\n"[..],
            b"%PDF-1.7\nthis is not a pdf at all\n%%EOF\n",
            b"%PDF-\x00\xFF\x00\xFF trailer << /Root 1 0 R >>",
        ] {
            assert!(
                matches!(
                    embedded_invoice_xml(garbage),
                    Err(EInvoiceError::Malformed(_))
                ),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn size_is_limited() {
        let mut pdf = plain_pdf();
        pdf.resize(MAX_PDF_BYTES + 1, b' ');
        assert_eq!(embedded_invoice_xml(&pdf), Err(EInvoiceError::TooLarge));
    }

    #[test]
    fn header_may_follow_a_short_prefix() {
        let mut pdf = b"junk before the header\n".to_vec();
        pdf.extend_from_slice(&pdf_with(&Attachment::new(
            Via::AssociatedFiles,
            CII_EN16931,
        )));
        assert!(is_pdf(&pdf));
        // The xref offsets are now all wrong; lopdf's lenient loading
        // rebuilds them.
        assert_eq!(found(&pdf).xml, CII_EN16931);
    }
}
