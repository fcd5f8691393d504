//! The OFD written from the laid-out pages: an OFD-A package whose pages
//! are the PDF's, every text run a TextCode with its characters and one
//! glyph per character named through CGTransform, the fonts and the seal
//! embedded, nothing outside the package, and the same bytes every time.
//! `.ci/run` has an independent reader (sofd) draw and audit it.

use crate::common;

use std::path::Path;

use common::unzip;

use gongwen::layout::frame::Item;

fn render(stem: &str) -> (Vec<u8>, Vec<gongwen::layout::frame::Page>) {
    render_signed(stem, None)
}

fn render_signed(
    stem: &str,
    signer: Option<&gongwen::export::sign::Signer>,
) -> (Vec<u8>, Vec<gongwen::layout::frame::Page>) {
    let c =
        common::compiled(stem, gongwen::compile::Until::Pages).unwrap_or_else(|e| panic!("{e}"));
    let t = c.typeset().unwrap();
    let (doc, book, pages) = (&t.document, &t.book, t.laid.pages.clone());
    let made = gongwen::font::subset::subset(&pages, book, false).unwrap();
    let ofd =
        gongwen::export::ofd::write(&pages, &made, &doc.meta, Some(1_735_689_600), signer).unwrap();
    (ofd, pages)
}

/// The first value of attribute `name` in `xml`.
fn attr<'a>(xml: &'a str, name: &str) -> &'a str {
    let rest = xml
        .split(&format!("{name}=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name}"));
    &rest[..rest.find('"').unwrap()]
}

fn text(xml: &str, element: &str) -> Vec<String> {
    let open = format!("<ofd:{element}");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| {
            let body = &rest[rest.find('>')? + 1..];
            Some(body[..body.find('<')?].to_string())
        })
        .collect()
}

#[test]
fn ofd_pages_hold_the_pdf_pages_text_and_glyphs() {
    let (ofd, pages) = render("samples/qinghe-market-2025.toml");
    let entries = unzip(&ofd);
    let get = |name: &str| {
        let (_, d) = entries
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"));
        String::from_utf8(d.clone()).unwrap()
    };
    let root = get("OFD.xml");
    assert!(root.contains("DocType=\"OFD-A\""), "{root}");
    assert!(root.contains("<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"));
    assert!(root.contains("<ofd:CreationDate>2025-01-01</ofd:CreationDate>"));
    let document = get("Doc_0/Document.xml");
    assert_eq!(document.matches("<ofd:Page ID=").count(), pages.len());
    assert!(document.contains("<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"));
    // Every font named in PublicRes.xml is a file in the package.
    let res = get("Doc_0/PublicRes.xml");
    let files = text(&res, "FontFile");
    assert!(files.len() >= 3, "{res}");
    for f in files {
        assert!(
            entries.iter().any(|(n, _)| *n == format!("Doc_0/Res/{f}")),
            "{f}"
        );
    }
    for (k, page) in pages.iter().enumerate() {
        let xml = get(&format!("Doc_0/Pages/Page_{k}/Content.xml"));
        let runs: Vec<String> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) => Some(t.text.replace('&', "&amp;").replace('<', "&lt;")),
                _ => None,
            })
            .collect();
        assert_eq!(text(&xml, "TextCode"), runs, "page {}", k + 1);
        // One glyph per character, and DeltaX one step short of them.
        for obj in xml.split("<ofd:TextObject").skip(1) {
            let count: usize = attr(obj, "CodeCount").parse().unwrap();
            let glyphs = text(obj, "Glyphs")[0].split(' ').count();
            assert_eq!(glyphs, count);
            let steps = attr(obj, "DeltaX")
                .split(' ')
                .filter(|s| !s.is_empty())
                .count();
            assert_eq!(steps, count.saturating_sub(1));
        }
        let lines = page
            .items
            .iter()
            .filter(|i| matches!(i, Item::Line { .. }))
            .count();
        // A run of rules in one style is one object of a subpath each.
        let drawn: usize = xml
            .split("<ofd:PathObject")
            .skip(1)
            .filter(|obj| attr(obj, "Stroke") == "true")
            .map(|obj| text(obj, "AbbreviatedData")[0].matches('M').count())
            .sum();
        assert_eq!(drawn, lines, "page {}", k + 1);
        assert!(xml.matches("<ofd:PathObject").count() * 10 < lines + 100);
    }
    // The same input gives the same bytes.
    assert_eq!(render("samples/qinghe-market-2025.toml").0, ofd);
}

#[test]
fn the_seal_is_an_image_resource_of_the_package() {
    let (ofd, _) = render("tests/fixtures/kinds/letter.toml");
    let entries = unzip(&ofd);
    let res = entries
        .iter()
        .find(|(n, _)| n == "Doc_0/DocumentRes.xml")
        .map(|(_, d)| String::from_utf8(d.clone()).unwrap())
        .expect("a DocumentRes with the seal");
    assert!(res.contains("Type=\"Image\" Format=\"PNG\""), "{res}");
    let seal = std::fs::read("tests/fixtures/kinds/seal.png").unwrap();
    assert!(entries
        .iter()
        .any(|(n, d)| n.ends_with(".png") && *d == seal));
    let pages: String = entries
        .iter()
        .filter(|(n, _)| n.contains("/Pages/"))
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect();
    assert_eq!(pages.matches("<ofd:ImageObject").count(), 1);
    // Red rules of the letter's head as stroked paths in red.
    assert!(pages.contains("<ofd:StrokeColor Value=\"255 0 0\"/>"));
}

#[test]
fn pdfa_claims_its_profile_and_keeps_one_font_resource_a_face() {
    let c = common::compiled("samples/zhanlang-2020.toml", gongwen::compile::Until::Pages).unwrap();
    let t = c.typeset().unwrap();
    let (doc, book, pages) = (&t.document, &t.book, &t.laid.pages);
    let epoch = Some(1_735_689_600);
    let pdf = |pdfa| {
        let made = gongwen::font::subset::subset(pages, book, pdfa).unwrap();
        gongwen::export::pdf::write(pages, &made, &doc.meta, epoch, pdfa).unwrap()
    };
    let (plain, a) = (pdf(false), pdf(true));
    let text = String::from_utf8_lossy(&a);
    for part in [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "/S /GTS_PDFA1",
        "/DestOutputProfile",
        "<xmp:CreateDate>2025-01-01T00:00:00Z</xmp:CreateDate>",
    ] {
        assert!(text.contains(part), "{part}");
    }
    // The plain PDF shows squeezed punctuation from half-width twins; PDF/A
    // may not state widths other than the program's, so it has none.
    let plain_text = String::from_utf8_lossy(&plain);
    assert!(plain_text.contains("/F0n") || plain_text.contains("/F1n"));
    assert!(!(0..5).any(|f| text.contains(&format!("/F{f}n"))));
    assert!(!plain_text.contains("pdfaid"));
    // With the OFD as well: the same PDF/A, the OFD made from the same fonts.
    let outputs = gongwen::export::Outputs {
        pdf: Some(gongwen::export::PdfOptions { pdfa: true }),
        ofd: Some(Default::default()),
        docx: None,
        epoch,
    };
    let both = gongwen::export::write(doc, &t.laid, book, &outputs).unwrap();
    assert_eq!(both.pdf.unwrap(), a);
    assert!(!both.ofd.unwrap().is_empty());
}

/// The fonts are OpenType files (GB/T 33190 7.6) whose character maps agree
/// with the glyphs the pages name: a reader that draws by character and
/// one that draws by CGTransform glyph show the same glyph.
#[test]
fn ofd_fonts_are_opentype_and_their_cmaps_name_the_pages_glyphs() {
    use skrifa::MetadataProvider;
    let (ofd, _) = render("samples/zhanlang-2020.toml");
    let entries = unzip(&ofd);
    let get = |name: &str| -> &[u8] {
        &entries
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
    };
    let res = String::from_utf8(get("Doc_0/PublicRes.xml").to_vec()).unwrap();
    let mut files = std::collections::BTreeMap::new();
    for font in res.split("<ofd:Font ").skip(1) {
        let file =
            &font[font.find("<ofd:FontFile>").unwrap() + 14..font.find("</ofd:FontFile>").unwrap()];
        assert!(file.ends_with(".otf"), "{file}");
        let bytes = get(&format!("Doc_0/Res/{file}"));
        assert_eq!(&bytes[..4], b"OTTO", "{file}");
        files.insert(attr(font, "ID").to_string(), bytes);
    }
    let mut checked = 0;
    for (name, data) in &entries {
        if !name.ends_with("Content.xml") {
            continue;
        }
        let xml = String::from_utf8(data.clone()).unwrap();
        for obj in xml.split("<ofd:TextObject ").skip(1) {
            let font = skrifa::FontRef::new(files[attr(obj, "Font")]).unwrap();
            let glyphs: Vec<u32> = text(obj, "Glyphs")[0]
                .split(' ')
                .map(|g| g.parse().unwrap())
                .collect();
            let chars: Vec<char> = text(obj, "TextCode")[0].chars().collect();
            if glyphs.len() != chars.len() {
                continue;
            }
            for (c, g) in chars.iter().zip(&glyphs) {
                if c.is_whitespace() || "&<>".contains(*c) {
                    continue;
                }
                let mapped = font.charmap().map(*c).map(|g| g.to_u32());
                assert_eq!(mapped, Some(*g), "{c} in {name}");
                checked += 1;
            }
        }
    }
    assert!(checked > 2000, "{checked} characters checked");
}

/// A signed OFD (GB/T 33190 clause 18): every file but the signature's
/// own is listed with its SM3 digest, and the list is signed with the
/// test key; the proof verifies with the certificate's key and fails on
/// one changed byte. `.ci/run` checks the same with OpenSSL and sofd.
#[test]
fn a_signed_ofd_protects_every_file_and_its_proof_verifies() {
    use sm2::dsa::signature::Verifier;
    use sm3::Digest;
    use x509_cert::der::DecodePem;

    let signer = gongwen::export::sign::Signer::load(
        Path::new("samples/sign/test-key.pem"),
        Path::new("samples/sign/test-cert.pem"),
    )
    .unwrap();
    let (ofd, _) = render_signed("samples/qinghe-market-2025.toml", Some(&signer));
    assert_eq!(
        ofd,
        render_signed("samples/qinghe-market-2025.toml", Some(&signer)).0,
        "a signed OFD is the same bytes every time"
    );
    let entries = unzip(&ofd);
    let get = |name: &str| &entries.iter().find(|(n, _)| n == name).unwrap().1;
    let root = String::from_utf8(get("OFD.xml").clone()).unwrap();
    assert!(root.contains("<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>"));
    let list = String::from_utf8(get("Doc_0/Signs/Signatures.xml").clone()).unwrap();
    assert_eq!(attr(&list, "BaseLoc"), "/Doc_0/Signs/Sign_0/Signature.xml");
    let descriptor = get("Doc_0/Signs/Sign_0/Signature.xml").clone();
    let xml = String::from_utf8(descriptor.clone()).unwrap();

    let refs: Vec<&str> = xml
        .split("FileRef=\"/")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    let values = text(&xml, "CheckValue");
    let own = [
        "Doc_0/Signs/Signatures.xml",
        "Doc_0/Signs/Sign_0/Signature.xml",
        "Doc_0/Signs/Sign_0/SignedValue.dat",
    ];
    let mut files: Vec<&str> = entries
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !own.contains(n))
        .collect();
    let mut listed = refs.clone();
    files.sort();
    listed.sort();
    assert_eq!(
        listed, files,
        "every file but the signature's own is referenced"
    );
    for (name, value) in refs.iter().zip(&values) {
        use base64ct::Encoding;
        let digest: [u8; 32] = sm3::Sm3::digest(get(name)).into();
        assert_eq!(value, &base64ct::Base64::encode_string(&digest), "{name}");
    }

    // The SignedData ends with the signer's OCTET STRING holding the DER
    // SM2 signature.
    let value = get("Doc_0/Signs/Sign_0/SignedValue.dat");
    let at = (0..value.len() - 2)
        .rev()
        .find(|&k| {
            value[k] == 0x04 && value[k + 1] as usize == value.len() - k - 2 && value[k + 2] == 0x30
        })
        .expect("a signature at the end");
    let signature = sm2::dsa::Signature::from_der(&value[at + 2..]).unwrap();
    let cert = x509_cert::Certificate::from_pem(
        std::fs::read_to_string("samples/sign/test-cert.pem").unwrap(),
    )
    .unwrap();
    let public = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", &public).unwrap();
    key.verify(&descriptor, &signature)
        .expect("the proof verifies");
    let mut changed = descriptor.clone();
    let k = xml.find("<ofd:CheckValue>").unwrap() + "<ofd:CheckValue>".len();
    changed[k] ^= 1;
    assert!(
        key.verify(&changed, &signature).is_err(),
        "one changed byte fails"
    );
}
