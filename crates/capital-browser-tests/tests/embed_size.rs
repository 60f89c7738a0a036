//! Transfer size of everything the element loads (`dist/embed/`, from `trunk build --release`),
//! raw, gzip -9 and brotli -q 11, against a budget. Run with `-- --nocapture` for the table that
//! BENCHMARKS.md records.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

/// Budget for the brotli size of the whole folder, in bytes. A regression guard set just above
/// the current size (see BENCHMARKS.md); lower it whenever the bundle shrinks.
const BROTLI_BUDGET: usize = 108 * 1024;

fn gzip(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out.len()
}

#[test]
fn embed_folder_fits_the_budget() {
    let folder = capital_browser_tests::root().join("dist/embed");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: run `trunk build --release` first",
                folder.display()
            )
        })
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "capital-offer-tile-core.js",
            "capital-offer-tile-core_bg.wasm",
            "capital-offer-tile.js"
        ],
        "the embed folder holds exactly the module, its glue and the wasm, with stable names"
    );

    let (mut raw_total, mut gzip_total, mut brotli_total) = (0, 0, 0);
    println!("| file | raw | gzip -9 | brotli -q 11 |\n|---|---:|---:|---:|");
    for (file, name) in files.iter().zip(&names) {
        let bytes = std::fs::read(file).unwrap();
        let (raw, gz, br) = (bytes.len(), gzip(&bytes), brotli(&bytes));
        println!("| `{name}` | {raw} | {gz} | {br} |");
        raw_total += raw;
        gzip_total += gz;
        brotli_total += br;
    }
    println!("| **total** | **{raw_total}** | **{gzip_total}** | **{brotli_total}** |");
    assert!(
        brotli_total <= BROTLI_BUDGET,
        "the embed folder is {brotli_total} B brotli, over the {BROTLI_BUDGET} B budget"
    );
}
