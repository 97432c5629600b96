//! Prints every caution that names another entry no rule covers (what `kb lint` reports).
fn main() {
    let kb = quietlegs_core::knowledge::bundled().expect("kb");
    let rules = quietlegs_core::safety::bundled_rules().expect("rules");
    let issues = quietlegs_core::safety::uncovered_cautions(kb, rules);
    for i in &issues {
        println!("{i}");
    }
    println!("{} uncovered", issues.len());
}
