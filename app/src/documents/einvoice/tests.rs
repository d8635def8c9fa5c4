//! Tests of [`recognise`](super::recognise) as a whole, including the
//! property tests that throw arbitrary and damaged input at it.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::fixtures::*;
use super::*;

#[test]
fn recognises_plain_xml() {
    for fixture in ALL_XML {
        let recognised = recognise(fixture).unwrap().unwrap();
        assert_eq!(recognised.container, Container::Xml);
        assert_eq!(recognised.xml, *fixture);
        assert_eq!(recognised.invoice, parse_xml(fixture).unwrap());
    }
}

#[test]
fn recognises_xml_after_bom_and_whitespace() {
    let mut bytes = b"\xEF\xBB\xBF \r\n\t".to_vec();
    bytes.extend_from_slice(UBL_CREDIT_NOTE);
    let recognised = recognise(&bytes).unwrap().unwrap();
    assert_eq!(recognised.invoice.number, "GS-7");
    assert_eq!(recognised.xml, bytes);
}

#[test]
fn recognises_hybrid_pdf() {
    let pdf = pdf_with(&Attachment {
        flate: true,
        ..Attachment::new(Via::Both, CII_EN16931)
    });
    let recognised = recognise(&pdf).unwrap().unwrap();
    assert_eq!(
        recognised.container,
        Container::Pdf {
            file_name: "factur-x.xml".into()
        }
    );
    assert_eq!(recognised.xml, CII_EN16931);
    assert_eq!(recognised.invoice.number, "471102");
    assert_eq!(recognised.invoice.profile, Some(Profile::En16931));
    assert_eq!(
        recognised.invoice.totals.due_payable.map(|a| a.to_string()),
        Some("529.87".into())
    );
}

#[test]
fn recognises_xrechnung_attached_to_a_pdf() {
    let pdf = pdf_with(&Attachment {
        file_name: "xrechnung.xml",
        unicode_name: Some("xrechnung.xml"),
        ..Attachment::new(Via::AssociatedFiles, UBL_XRECHNUNG_INVOICE)
    });
    let recognised = recognise(&pdf).unwrap().unwrap();
    assert_eq!(recognised.invoice.profile, Some(Profile::XRechnung));
    assert_eq!(
        recognised.invoice.buyer_reference.as_deref(),
        Some("991-01234-56")
    );
}

#[test]
fn ordinary_files_are_not_invoices() {
    assert_eq!(recognise(&plain_pdf()), Ok(None));
    for bytes in [
        &b""[..],
        b"   ",
        b"\xEF\xBB\xBF",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"PK\x03\x04",
        b"Rechnung Nr. 4711",
        b"{\"invoice\": 1}",
    ] {
        assert_eq!(recognise(bytes), Ok(None), "{bytes:?}");
    }
}

#[test]
fn xml_that_is_not_an_invoice_is_an_error() {
    assert_eq!(
        recognise(b"<html><body>Rechnung</body></html>"),
        Err(EInvoiceError::NotAnInvoice)
    );
    let utf16: Vec<u8> = [0xFE, 0xFF, 0, b'<', 0, b'a', 0, b'/', 0, b'>'].to_vec();
    assert!(matches!(
        recognise(&utf16),
        Err(EInvoiceError::Unsupported(_))
    ));
}

#[test]
fn pdf_attachment_that_is_not_an_invoice() {
    let pdf = pdf_with(&Attachment::new(Via::AssociatedFiles, b"<html/>"));
    assert_eq!(recognise(&pdf), Err(EInvoiceError::NotAnInvoice));
    let zugferd1 = br#"<?xml version="1.0"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>"#;
    let pdf = pdf_with(&Attachment {
        file_name: "ZUGFeRD-invoice.xml",
        unicode_name: None,
        ..Attachment::new(Via::Names, zugferd1)
    });
    assert!(matches!(
        recognise(&pdf),
        Err(EInvoiceError::Unsupported(_))
    ));
}

/// Valid PDFs around the fixtures, built once for the property tests.
fn pdf_fixtures() -> &'static [Vec<u8>] {
    static PDFS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    PDFS.get_or_init(|| {
        vec![
            pdf_with(&Attachment::new(Via::AssociatedFiles, CII_EN16931)),
            pdf_with(&Attachment {
                flate: true,
                ..Attachment::new(Via::NamesKids, UBL_XRECHNUNG_INVOICE)
            }),
            pdf_with(&Attachment::new(Via::Both, FACTURX_MINIMUM)),
            plain_pdf(),
        ]
    })
}

/// `bytes` with some bytes overwritten and possibly cut short.
fn damage(bytes: &[u8], flips: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut damaged = bytes.to_vec();
    for &(at, value) in flips {
        let at = at % damaged.len();
        damaged[at] = value;
    }
    if let Some(cut) = cut {
        damaged.truncate(cut % (damaged.len() + 1));
    }
    damaged
}

fn flips() -> impl Strategy<Value = Vec<(usize, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8)
}

proptest! {
    #![proptest_config(super::fixtures::property_config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = recognise(&bytes);
    }

    #[test]
    fn arbitrary_pdf_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend_from_slice(&body);
        let _ = recognise(&bytes);
    }

    #[test]
    fn arbitrary_markup_never_panics(body in "[<>/a-z:=\"&#;0-9 \\[\\]!?-]{0,512}") {
        let _ = recognise(format!("<{body}").as_bytes());
    }

    #[test]
    fn damaged_xml_never_panics(
        which in 0..ALL_XML.len(),
        flips in flips(),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let damaged = damage(ALL_XML[which], &flips, cut);
        if let Ok(Some(recognised)) = recognise(&damaged) {
            // Whatever is read back is internally consistent.
            prop_assert!(!recognised.invoice.number.is_empty());
            prop_assert!(recognised.invoice.lines.len() <= recognised.invoice.line_count);
        }
    }

    #[test]
    fn damaged_pdfs_never_panic(
        which in 0..4usize,
        flips in flips(),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let pdfs = pdf_fixtures();
        let damaged = damage(&pdfs[which % pdfs.len()], &flips, cut);
        let _ = recognise(&damaged);
    }
}
