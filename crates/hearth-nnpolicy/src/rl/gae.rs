//! Generalised advantage estimation (Schulman et al. 2016).

/// Advantages and value targets of recorded decisions.
///
/// `rewards[t]`, `values[t]` (the critic's estimate before decision t) and `ends[t]` (decision t
/// is the last of its episode, so nothing after it is bootstrapped) are aligned. Returns
/// `(advantages, returns)` with `returns[t] = advantages[t] + values[t]`:
/// `δ_t = r_t + γ V_{t+1} − V_t`, `A_t = δ_t + γλ A_{t+1}`, both cut at episode ends.
pub fn gae(rewards: &[f32], values: &[f32], ends: &[bool], gamma: f32, lambda: f32) -> (Vec<f32>, Vec<f32>) {
    let n = rewards.len();
    let mut adv = vec![0f32; n];
    let mut next_adv = 0f32;
    for t in (0..n).rev() {
        let (next_value, carry) = if ends[t] || t + 1 == n {
            (0.0, 0.0)
        } else {
            (values[t + 1], next_adv)
        };
        let delta = rewards[t] + gamma * next_value - values[t];
        adv[t] = delta + gamma * lambda * carry;
        next_adv = adv[t];
    }
    let returns = adv.iter().zip(values).map(|(a, v)| a + v).collect();
    (adv, returns)
}

/// Advantages shifted and scaled to mean 0 and standard deviation 1 (left centred when constant).
pub fn normalise(adv: &mut [f32]) {
    let n = adv.len().max(1) as f64;
    let mean = adv.iter().map(|a| f64::from(*a)).sum::<f64>() / n;
    let var = adv.iter().map(|a| (f64::from(*a) - mean).powi(2)).sum::<f64>() / n;
    let sd = if var.sqrt() > 1e-8 { var.sqrt() } else { 1.0 };
    adv.iter_mut().for_each(|a| *a = ((f64::from(*a) - mean) / sd) as f32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_one_gives_discounted_returns_minus_values() {
        let (adv, ret) = gae(&[1.0, 1.0, 1.0], &[0.5, 0.5, 0.5], &[false, false, true], 0.9, 1.0);
        // Returns: 1 + 0.9 + 0.81, 1 + 0.9, 1.
        assert!((ret[0] - 2.71).abs() < 1e-5, "{ret:?}");
        assert!((ret[1] - 1.9).abs() < 1e-5);
        assert!((ret[2] - 1.0).abs() < 1e-5);
        assert!((adv[0] - 2.21).abs() < 1e-5);
    }

    #[test]
    fn nothing_crosses_an_episode_end() {
        let (adv, _) = gae(&[0.0, 5.0], &[0.0, 0.0], &[true, true], 0.99, 0.95);
        assert_eq!(adv[0], 0.0, "the second episode's reward leaked into the first");
        assert_eq!(adv[1], 5.0);
    }

    #[test]
    fn lambda_zero_is_one_step_td() {
        let (adv, _) = gae(&[1.0, 2.0], &[3.0, 4.0], &[false, true], 0.5, 0.0);
        assert!((adv[0] - (1.0 + 0.5 * 4.0 - 3.0)).abs() < 1e-6);
        assert!((adv[1] - (2.0 - 4.0)).abs() < 1e-6);
    }
}
