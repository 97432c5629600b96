//! `quietlegs kb list --json` must feel instant: the target is well under 50 ms for the whole
//! command. This measures the work behind it (parse and validate the compiled-in knowledge, then
//! serialise the list) from a cold start, which is what every CLI run pays.

use criterion::{Criterion, criterion_group, criterion_main};
use quietlegs::kb_list_json;
use quietlegs_core::knowledge::{BUNDLED_FILES, KnowledgeBase};

fn kb_list_json_cold(c: &mut Criterion) {
    c.bench_function("kb list --json (parse, validate, serialise)", |b| {
        b.iter(|| {
            let kb = KnowledgeBase::from_files(BUNDLED_FILES).expect("bundled knowledge is valid");
            std::hint::black_box(kb_list_json(&kb, None))
        })
    });
}

criterion_group!(benches, kb_list_json_cold);
criterion_main!(benches);
