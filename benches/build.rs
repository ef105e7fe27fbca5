//! `pocdir build` of the synthetic 193 States x 4 PoCs in six languages
//! (1,192 pages). Targets: the site under 0.25 s (issue #3; Hugo 0.111
//! takes about 1.3 s for the equivalent site); sealing the 193 bundles
//! adds under 0.2 s (issue #4).
use criterion::{Criterion, criterion_group, criterion_main};

fn build(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    pocdir::synth::write(dir.path(), 193, 4).expect("synthetic directory");
    let out = tempfile::tempdir().expect("temp dir");
    let today = jiff::civil::date(2026, 11, 22);
    let no_pass = || None;
    let opts = |site_only| pocdir::build::BuildOptions {
        root: dir.path(),
        out: out.path(),
        as_of: today,
        now: jiff::Timestamp::now(),
        signing_key: None,
        passphrase: &no_pass,
        site_only,
        site_secret: None,
        site_passphrase: &|| None,
    };
    let built = pocdir::build::build(&opts(false))
        .ok()
        .expect("the synthetic directory builds");
    assert_eq!(built.bundles.len(), 193);
    c.bench_function("build site 193x4x6", |b| {
        b.iter(|| pocdir::build::build(&opts(true)).ok().expect("build"))
    });
    c.bench_function("build site + 193 bundles", |b| {
        b.iter(|| pocdir::build::build(&opts(false)).ok().expect("build"))
    });
    c.bench_function("render site 193x4x6 (no write)", |b| {
        b.iter(|| {
            pocdir::build::render_site(dir.path(), today, &|_| {
                Err(pocdir::build::BuildError::Seal("not sealed".into()))
            })
            .ok()
            .expect("render")
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = build
}
criterion_main!(benches);
