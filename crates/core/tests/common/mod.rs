//! What several test files share.

/// A person whose answers fit RLS plainly, with every mimic question answered "no".
pub const TYPICAL_SYMPTOMS: &str = r#"
urge_to_move = true
worse_at_rest = true
relieved_by_movement = true
evening_or_night = true
nights_per_week = 4
onset = "evening"
distress = "moderate"
painful_hard_muscle_knot = false
eased_by_stretching_only = false
eased_by_position_change_only = false
numbness = false
burning_constant = false
pain_when_walking_eased_by_rest = false
"#;
