//! Reverse-mode autodiff on scalars, in micrograd's style: the computation graph of E_total
//! that the page draws, each node with its operation, value and gradient.
//!
//! Each operation computes its value and, beside it, its local derivative with respect to
//! each input. `backward` then walks the nodes once, last to first, and hands each node's
//! gradient to its inputs, multiplied by those local derivatives, adding up where a value
//! feeds more than one node (a_h1 feeds o1 and o2). That is the whole of autodiff: the chain
//! rule, applied mechanically; `exact.rs` applies it by hand and gets the same numbers.

use serde::Serialize;

use super::exact::sigmoid;
use super::TinyConfig;

/// A node's index in [`Graph::nodes`].
pub type Id = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    /// An input, target or weight: no inputs of its own.
    Leaf,
    Add,
    Sub,
    Mul,
    Sigmoid,
    Square,
    /// Times ½.
    Half,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Node {
    /// The name the sheet gives the value ("h1", "w5"), or "" for an unnamed intermediate.
    pub name: String,
    pub op: Op,
    pub value: f64,
    /// ∂E_total/∂(this node), once `backward` has run.
    pub grad: f64,
    /// The nodes this one is computed from.
    pub inputs: Vec<Id>,
    /// ∂(this node)/∂(each input), in `inputs` order, computed with the value.
    #[serde(skip)]
    #[ts(skip)]
    local: Vec<f64>,
}

/// The nodes in the order they were computed, so every input comes before its users.
#[derive(Debug, Clone, Default, Serialize, ts_rs::TS)]
pub struct Graph {
    pub nodes: Vec<Node>,
}

impl Graph {
    fn push(&mut self, op: Op, value: f64, inputs: &[(Id, f64)]) -> Id {
        let (inputs, local) = inputs.iter().copied().unzip();
        self.nodes.push(Node { name: String::new(), op, value, grad: 0.0, inputs, local });
        self.nodes.len() - 1
    }

    fn value(&self, id: Id) -> f64 {
        self.nodes[id].value
    }

    pub fn leaf(&mut self, name: &str, value: f64) -> Id {
        let id = self.push(Op::Leaf, value, &[]);
        self.name(id, name)
    }

    /// Gives node `id` the sheet's name for it.
    pub fn name(&mut self, id: Id, name: &str) -> Id {
        self.nodes[id].name = name.to_string();
        id
    }

    /// a + b: ∂/∂a = 1, ∂/∂b = 1.
    pub fn add(&mut self, a: Id, b: Id) -> Id {
        self.push(Op::Add, self.value(a) + self.value(b), &[(a, 1.0), (b, 1.0)])
    }

    /// a − b: ∂/∂a = 1, ∂/∂b = −1.
    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        self.push(Op::Sub, self.value(a) - self.value(b), &[(a, 1.0), (b, -1.0)])
    }

    /// a · b: ∂/∂a = b, ∂/∂b = a.
    pub fn mul(&mut self, a: Id, b: Id) -> Id {
        let (x, y) = (self.value(a), self.value(b));
        self.push(Op::Mul, x * y, &[(a, y), (b, x)])
    }

    /// σ(a) = 1 / (1 + e^−a): ∂/∂a = σ(a)(1 − σ(a)).
    pub fn sigmoid(&mut self, a: Id) -> Id {
        let s = sigmoid(self.value(a));
        self.push(Op::Sigmoid, s, &[(a, s * (1.0 - s))])
    }

    /// a²: ∂/∂a = 2a.
    pub fn square(&mut self, a: Id) -> Id {
        let x = self.value(a);
        self.push(Op::Square, x * x, &[(a, 2.0 * x)])
    }

    /// ½a: ∂/∂a = ½.
    pub fn half(&mut self, a: Id) -> Id {
        self.push(Op::Half, 0.5 * self.value(a), &[(a, 0.5)])
    }

    /// Fills every node's `grad` with ∂(node `of`)/∂(that node).
    pub fn backward(&mut self, of: Id) {
        for node in &mut self.nodes {
            node.grad = 0.0;
        }
        self.nodes[of].grad = 1.0;
        // Inputs come before their users, so walking backwards finishes a node's gradient
        // (every user has added its share) before handing it on.
        for id in (0..=of).rev() {
            let grad = self.nodes[id].grad;
            for k in 0..self.nodes[id].inputs.len() {
                let (input, d) = (self.nodes[id].inputs[k], self.nodes[id].local[k]);
                self.nodes[input].grad += grad * d;
            }
        }
    }

    /// The node named `name`, if there is one.
    pub fn named(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }
}

/// The graph of E_total for the 2-2-2 network at weights `w`, gradients filled in; the
/// sheet's named values (h1, a_h1, E1…) carry their names.
pub fn network(config: &TinyConfig, w: [f64; 8]) -> Graph {
    let mut g = Graph::default();
    let i = [g.leaf("i1", config.inputs[0]), g.leaf("i2", config.inputs[1])];
    let w: Vec<Id> = w.iter().enumerate().map(|(k, &v)| g.leaf(&format!("w{}", k + 1), v)).collect();
    let bias = config.bias.map(|[b1, b2]| [g.leaf("b1", b1), g.leaf("b2", b2)]);
    // A neuron's input: x1·wa + x2·wb (+ its layer's bias).
    let net = |g: &mut Graph, x: [Id; 2], wa: Id, wb: Id, b: Option<Id>, name: &str| {
        let (p, q) = (g.mul(x[0], wa), g.mul(x[1], wb));
        let sum = g.add(p, q);
        let sum = match b {
            Some(b) => g.add(sum, b),
            None => sum,
        };
        g.name(sum, name)
    };
    let h1 = net(&mut g, i, w[0], w[1], bias.map(|b| b[0]), "h1");
    let h2 = net(&mut g, i, w[2], w[3], bias.map(|b| b[0]), "h2");
    let a_h = [g.sigmoid(h1), g.sigmoid(h2)];
    g.name(a_h[0], "a_h1");
    g.name(a_h[1], "a_h2");
    let o1 = net(&mut g, a_h, w[4], w[5], bias.map(|b| b[1]), "o1");
    let o2 = net(&mut g, a_h, w[6], w[7], bias.map(|b| b[1]), "o2");
    let mut errors = [0; 2];
    for (k, o) in [o1, o2].into_iter().enumerate() {
        let a_o = g.sigmoid(o);
        g.name(a_o, &format!("a_o{}", k + 1));
        let t = g.leaf(&format!("t{}", k + 1), config.targets[k]);
        let diff = g.sub(t, a_o);
        let sq = g.square(diff);
        errors[k] = g.half(sq);
        g.name(errors[k], &format!("E{}", k + 1));
    }
    let total = g.add(errors[0], errors[1]);
    g.name(total, "E_total");
    g.backward(total);
    g
}
