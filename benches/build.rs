//! `pocdir build` (site only) of the synthetic 193 States x 4 PoCs in six
//! languages: 1,192 pages. Target (issue #3): under 0.25 s in a release
//! build (Hugo 0.111: about 1.3 s for the equivalent site).
use criterion::{Criterion, criterion_group, criterion_main};

fn build(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    pocdir::synth::write(dir.path(), 193, 4).expect("synthetic directory");
    let out = tempfile::tempdir().expect("temp dir");
    let today = jiff::civil::date(2026, 11, 22);
    let opts = pocdir::build::BuildOptions {
        root: dir.path(),
        out: out.path(),
        as_of: today,
    };
    let built = pocdir::build::build(&opts)
        .ok()
        .expect("the synthetic directory builds");
    assert!(built.site_files > 1100);
    c.bench_function("build site 193x4x6", |b| {
        b.iter(|| pocdir::build::build(&opts).ok().expect("build"))
    });
    c.bench_function("render site 193x4x6 (no write)", |b| {
        b.iter(|| {
            pocdir::build::render_site(dir.path(), today)
                .ok()
                .expect("render")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = build
}
criterion_main!(benches);
