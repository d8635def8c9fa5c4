//! Test fixtures: hand-made invoice XML and PDFs built around them.

use pdf_writer::types::AssociationKind;
use pdf_writer::{Filter, Name, Pdf, Rect, Ref, Str, TextStr};

pub const CII_EN16931: &[u8] = include_bytes!("fixtures/cii_en16931.xml");
pub const FACTURX_MINIMUM: &[u8] = include_bytes!("fixtures/facturx_minimum.xml");
pub const CII_XRECHNUNG: &[u8] = include_bytes!("fixtures/cii_xrechnung.xml");
pub const UBL_XRECHNUNG_INVOICE: &[u8] = include_bytes!("fixtures/ubl_xrechnung_invoice.xml");
pub const UBL_CREDIT_NOTE: &[u8] = include_bytes!("fixtures/ubl_credit_note.xml");

pub const ALL_XML: &[&[u8]] = &[
    CII_EN16931,
    FACTURX_MINIMUM,
    CII_XRECHNUNG,
    UBL_XRECHNUNG_INVOICE,
    UBL_CREDIT_NOTE,
];

/// Where the attachment is registered in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Catalog `/AF` only.
    AssociatedFiles,
    /// `/Names /EmbeddedFiles` with the pair in the root node only.
    Names,
    /// `/Names /EmbeddedFiles` root with one `/Kids` leaf node.
    NamesKids,
    /// Both `/AF` and `/Names`, pointing at the same file spec.
    Both,
    /// Not registered at all (a plain PDF that happens to contain the objects).
    Nowhere,
}

pub struct Attachment<'a> {
    pub via: Via,
    /// `/F`, written as a byte string.
    pub file_name: &'a str,
    /// `/UF`, written as a text string (UTF-16BE when not ASCII).
    pub unicode_name: Option<&'a str>,
    pub content: &'a [u8],
    pub flate: bool,
}

impl<'a> Attachment<'a> {
    pub fn new(via: Via, content: &'a [u8]) -> Self {
        Attachment {
            via,
            file_name: "factur-x.xml",
            unicode_name: Some("factur-x.xml"),
            content,
            flate: false,
        }
    }
}

pub fn zlib(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)
}

/// A one-page PDF with `attachment` embedded as PDF/A-3 does it.
pub fn pdf_with(attachment: &Attachment<'_>) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let spec = Ref::new(4);
    let file = Ref::new(5);
    let leaf = Ref::new(6);

    let mut pdf = Pdf::new();
    let data = if attachment.flate {
        zlib(attachment.content)
    } else {
        attachment.content.to_vec()
    };
    {
        let mut embedded = pdf.embedded_file(file, &data);
        if attachment.flate {
            embedded.filter(Filter::FlateDecode);
        }
        embedded.subtype(Name(b"text/xml"));
        embedded.params().size(attachment.content.len() as i32);
    }
    {
        let mut file_spec = pdf.file_spec(spec);
        file_spec.path(Str(attachment.file_name.as_bytes()));
        if let Some(name) = attachment.unicode_name {
            file_spec.unic_file(TextStr(name));
        }
        file_spec
            .association_kind(AssociationKind::Alternative)
            .embedded_file_with_unicode(file);
    }
    {
        let mut root = pdf.catalog(catalog);
        root.pages(pages);
        if matches!(attachment.via, Via::AssociatedFiles | Via::Both) {
            root.insert(Name(b"AF")).array().item(spec);
        }
        let key = Str(attachment.file_name.as_bytes());
        match attachment.via {
            Via::Names | Via::Both => {
                root.names().embedded_files().names().insert(key, spec);
            }
            Via::NamesKids => {
                root.names().embedded_files().kids().item(leaf);
            }
            Via::AssociatedFiles | Via::Nowhere => {}
        }
    }
    if attachment.via == Via::NamesKids {
        let mut node = pdf.name_tree::<Ref>(leaf);
        node.names()
            .insert(Str(attachment.file_name.as_bytes()), spec);
        node.limits(
            Name(attachment.file_name.as_bytes()),
            Name(attachment.file_name.as_bytes()),
        );
    }
    pdf.pages(pages).kids([page]).count(1);
    pdf.page(page)
        .parent(pages)
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    pdf.finish()
}

/// A one-page PDF without attachments.
pub fn plain_pdf() -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
    pdf.page(Ref::new(3))
        .parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
    pdf.finish()
}

/// Assembles a PDF from raw object bodies (`(number, body)`, generation 0)
/// with a correct cross-reference table, for structures no writer library
/// would produce. Object 1 is the catalog.
pub fn assemble(objects: &[(u32, Vec<u8>)], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let size = objects.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
    let mut offsets = vec![None; size as usize];
    for (number, body) in objects {
        offsets[*number as usize] = Some(out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for offset in &offsets {
        match offset {
            Some(offset) => out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f\r\n"),
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {size} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// An uncompressed embedded file stream object body.
pub fn stream_body(dict_extra: &str, data: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "<< /Type /EmbeddedFile /Length {} {dict_extra} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(b"\nendstream");
    body
}

/// The property tests' settings: 256 cases each, and no files of failures
/// left behind (a failure prints its input).
pub(crate) fn property_config() -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() }
}
