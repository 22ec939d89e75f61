//! Builds PDFs with known layout (lopdf writes them): text at given places and sizes, link
//! annotations, rules and images — for the layout cases converters do not give on demand
//! (running headers on ten pages, two columns, scans, notes continued on the next page).

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};

/// What a page shows.
#[derive(Debug, Clone)]
pub enum Item {
    /// Text at (x, y) in points, in Helvetica of this size; every glyph advances 0.5 em.
    Text(f32, f32, f32, String),
    /// A link annotation over (x1, y1, x2, y2).
    Link([f32; 4], String),
    /// A horizontal rule from x1 to x2 at y.
    Rule(f32, f32, f32),
    /// A 200×200 pt image.
    Image,
}

/// Text at (x, y) of size `size`.
pub fn text(x: f32, y: f32, size: f32, s: &str) -> Item {
    Item::Text(x, y, size, s.to_string())
}

/// A letter-size PDF of these pages.
pub fn pdf(pages: &[Vec<Item>]) -> Vec<u8> {
    let mut doc = build(pages);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf written");
    out
}

/// The same, encrypted with an owner password only (opens without a password).
pub fn pdf_owner_locked(pages: &[Vec<Item>]) -> Vec<u8> {
    let mut doc = build(pages);
    let id = Object::String(b"citecheck-test-id".to_vec(), lopdf::StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);
    let version = lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: "",
        key_length: 128,
        permissions: lopdf::Permissions::PRINTABLE,
    };
    let state = lopdf::EncryptionState::try_from(version).expect("encryption state");
    doc.encrypt(&state).expect("encrypted");
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf written");
    out
}

fn build(pages: &[Vec<Item>]) -> Document {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 255,
        "Widths" => vec![Object::Integer(500); 224],
    });
    let image_id = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![128u8],
    ));
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
        "XObject" => dictionary! { "Im1" => image_id },
    });
    let mut kids = Vec::new();
    for items in pages {
        let mut ops = Vec::new();
        let mut annots = Vec::new();
        for item in items {
            match item {
                Item::Text(x, y, size, s) => {
                    let bytes: Vec<u8> =
                        s.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
                    ops.push(Operation::new("BT", vec![]));
                    ops.push(Operation::new("Tf", vec!["F1".into(), (*size).into()]));
                    ops.push(Operation::new("Td", vec![(*x).into(), (*y).into()]));
                    ops.push(Operation::new("Tj", vec![Object::String(bytes, lopdf::StringFormat::Literal)]));
                    ops.push(Operation::new("ET", vec![]));
                }
                Item::Rule(x1, x2, y) => {
                    ops.push(Operation::new(
                        "re",
                        vec![(*x1).into(), (*y).into(), (x2 - x1).into(), 0.5.into()],
                    ));
                    ops.push(Operation::new("f", vec![]));
                }
                Item::Image => {
                    ops.push(Operation::new("q", vec![]));
                    let m: Vec<Object> =
                        [200.0, 0.0, 0.0, 200.0, 100.0, 300.0].iter().map(|&v: &f32| v.into()).collect();
                    ops.push(Operation::new("cm", m));
                    ops.push(Operation::new("Do", vec!["Im1".into()]));
                    ops.push(Operation::new("Q", vec![]));
                }
                Item::Link(rect, uri) => {
                    annots.push(Object::Dictionary(dictionary! {
                        "Type" => "Annot",
                        "Subtype" => "Link",
                        "Rect" => rect.iter().map(|&v| v.into()).collect::<Vec<Object>>(),
                        "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal(uri.as_str()) },
                    }));
                }
            }
        }
        let content = Content { operations: ops }.encode().expect("content encoded");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Annots" => annots,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}
