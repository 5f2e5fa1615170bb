//! Fitted tree ensembles compiled into one flat array of nodes we own.
//!
//! Why: the libraries' own predict takes a whole matrix (smartcore) or a column-major
//! `Matrix` (forust), and smartcore's nodes are private. FirePlace scores a handful of
//! candidate rows per placement in microseconds, so we copy each fitted tree into a compact
//! layout (16 bytes per node, the two children of a split side by side) and walk that.

use serde::{Deserialize, Serialize};

/// Marks a leaf in [`FlatNode::feature`].
const LEAF: u32 = u32::MAX;

/// One node: a split (`feature`, threshold in `value`, children at `left` and `left + 1`)
/// or a leaf (`feature == LEAF`, output in `value`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlatNode {
    pub value: f64,
    pub feature: u32,
    pub left: u32,
}

/// How the leaf outputs of the trees are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Combine {
    /// Random forest: mean of the trees.
    Mean,
    /// Boosting: base score plus the sum of the trees.
    Sum,
}

/// Trees stored back to back; `roots[t]` is the index of tree `t`'s root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    pub nodes: Vec<FlatNode>,
    pub roots: Vec<u32>,
    pub base: f64,
    pub combine: Combine,
}

/// A node of a library tree, as the compiler sees it. Rows go left when `x <= threshold`
/// (smartcore's rule; forust's `x < t` is converted by the caller).
pub enum SourceNode {
    Leaf(f64),
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
}

impl TreeEnsemble {
    pub fn new(base: f64, combine: Combine) -> Self {
        TreeEnsemble {
            nodes: Vec::new(),
            roots: Vec::new(),
            base,
            combine,
        }
    }

    /// Appends one tree given by a node accessor (root at index 0), breadth first, so that
    /// siblings are adjacent and the walk needs one child index per node.
    pub fn push_tree(&mut self, node: impl Fn(usize) -> SourceNode) {
        let root = self.nodes.len();
        self.roots.push(root as u32);
        self.nodes.push(FlatNode {
            value: 0.0,
            feature: LEAF,
            left: 0,
        });
        let mut queue = std::collections::VecDeque::from([(0usize, root)]);
        while let Some((src, dst)) = queue.pop_front() {
            self.nodes[dst] = match node(src) {
                SourceNode::Leaf(value) => FlatNode {
                    value,
                    feature: LEAF,
                    left: 0,
                },
                SourceNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    let l = self.nodes.len();
                    self.nodes.extend(
                        [FlatNode {
                            value: 0.0,
                            feature: LEAF,
                            left: 0,
                        }; 2],
                    );
                    queue.extend([(left, l), (right, l + 1)]);
                    FlatNode {
                        value: threshold,
                        feature: feature as u32,
                        left: l as u32,
                    }
                }
            };
        }
    }

    /// The leaf output of one tree. A NaN feature goes right, as in smartcore.
    #[inline]
    fn leaf(&self, root: u32, row: &[f64]) -> f64 {
        let mut i = root as usize;
        loop {
            let n = self.nodes[i];
            if n.feature == LEAF {
                return n.value;
            }
            // `!(x <= t)` rather than `x > t`: a NaN must go right, as in smartcore.
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            let right = !(row[n.feature as usize] <= n.value);
            i = n.left as usize + usize::from(right);
        }
    }

    /// Combined output for one row, summed in the libraries' own order so results are
    /// bit-identical to theirs.
    #[inline]
    pub fn predict_row(&self, row: &[f64]) -> f64 {
        let sum = self.roots.iter().fold(self.base, |acc, &r| acc + self.leaf(r, row));
        match self.combine {
            Combine::Mean => sum / self.roots.len() as f64,
            Combine::Sum => sum,
        }
    }

    /// Depth of the deepest tree (a lone leaf has depth 0).
    pub fn max_depth(&self) -> usize {
        self.roots.iter().map(|&r| self.depth(r as usize)).max().unwrap_or(0)
    }

    fn depth(&self, i: usize) -> usize {
        let n = self.nodes[i];
        if n.feature == LEAF {
            return 0;
        }
        1 + self.depth(n.left as usize).max(self.depth(n.left as usize + 1))
    }
}

/// The largest float below `t`: for finite `x`, `x < t` ⇔ `x <= below(t)`.
/// (`f64::next_down` needs Rust 1.86; the workspace's MSRV is 1.85.)
pub fn below(t: f64) -> f64 {
    if t.is_nan() || t == f64::NEG_INFINITY {
        return t;
    }
    if t == 0.0 {
        return -f64::from_bits(1);
    }
    let bits = t.to_bits();
    f64::from_bits(if t > 0.0 { bits - 1 } else { bits + 1 })
}
