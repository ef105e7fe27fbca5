//! `pocdir check` on the synthetic directory of 193 States x 4 PoCs.
//! Target (issue #2): under 50 ms in a release build.
use criterion::{Criterion, criterion_group, criterion_main};

fn check(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    pocdir::synth::write(dir.path(), 193, 4).expect("synthetic directory");
    let today = jiff::civil::date(2026, 11, 22);
    let (report, _) = pocdir::directory::check(dir.path(), today);
    assert_eq!(
        report.errors(),
        0,
        "the synthetic directory must pass check"
    );
    c.bench_function("check 193x4", |b| {
        b.iter(|| pocdir::directory::check(dir.path(), today))
    });
}

/// Hostile inputs must be refused in well under a second.
fn hostile(c: &mut Criterion) {
    type State = pocdir::directory::schema::StateFile;
    let deep = format!(
        "state: FRA\nregional_networks: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut bomb = String::from(
        "state: FRA\nregional_networks:\n  - a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in b'b'..=b'i' {
        let prev = (i - 1) as char;
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("  - {}: &{} [{refs}]\n", i as char, i as char));
    }
    assert!(pocdir::directory::yaml::parse::<State>(&deep, 0).is_err());
    assert!(pocdir::directory::yaml::parse::<State>(&bomb, 0).is_err());
    c.bench_function("refuse 100k-deep nesting", |b| {
        b.iter(|| pocdir::directory::yaml::parse::<State>(&deep, 0).is_err())
    });
    c.bench_function("refuse alias bomb", |b| {
        b.iter(|| pocdir::directory::yaml::parse::<State>(&bomb, 0).is_err())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = check, hostile
}
criterion_main!(benches);
