// The Preset menu's entries: the paper's figures as config queries, and how a query is matched to one.
// The synthetic sets use the authors' exact points (draw=paper, the default of a v=2 query); where a
// preset trains a shorter schedule than the paper's, its name says so.

export const PRESETS = [
  { name: "Gaussian mixture (the paper's main setting)", query: '' },
  { name: 'Gaussian, during training (snapshots)', query: 'snap=250' },
  { name: '1-D toy (λ₁ ≈ 11, boundary points ≈ 0.75 and 1.34)', query: 'dataset=line1d&layers=10&lr=0.002&batch=6&epochs=45000' },
  { name: 'Gaussian, random labels (20,000 epochs; the paper: 300,000)', query: 'regime=random-labels&epochs=20000' },
  { name: 'Gaussian, adversarial init (20,000 random-label epochs, then 2,000; the paper: 300,000, then 20,000)', query: 'regime=adversarial&pre=20000' },
  { name: 'Gaussian, large-norm init (norm after 20,000 random-label epochs, then 1,000; the paper: 300,000)', query: 'regime=large-norm&pre=20000&epochs=1000' },
  { name: 'Hierarchical (4 classes)', query: 'dataset=hierarchical' },
  { name: 'Checkerboard (normal)', query: 'dataset=checker' },
  { name: 'Checkerboard, wide margin (pre-trained on noisy)', query: 'dataset=checker&pretrain=checker-noisy' },
  { name: 'Circles', query: 'dataset=circles' },
  { name: 'Moons', query: 'dataset=moons' },
  { name: 'Iris (4-D, shown on 2 principal components)', query: 'dataset=iris&train=0.8&layers=50,50&lr=0.01&batch=120&epochs=1000' },
  { name: 'Digits {0, 1, 7} (64-D)', query: 'dataset=digits&classes=0,1,7&train=0.8&layers=50,50&lr=0.01&epochs=300' },
  { name: 'Beyond the paper: moons, tanh, snapshots (the explorer, the tracked spectrum, the self-test with dense)', query: 'dataset=moons&layers=30,30&act=tanh&epochs=600&snap=50&k=4' },
  { name: 'Beyond the paper: negative curvature (the bottom of a tanh network\'s spectrum early in training)', query: 'dataset=moons&layers=30,30&act=tanh&epochs=30&which=bottom&k=4' },
  { name: 'Quick demo (moons, small net)', query: 'dataset=moons&layers=16,16&epochs=200&k=3&grid=32' },
];

/** A query's pairs other than v, as a sorted string, for comparing presets with canonical queries. */
export function pairsKey(query) {
  const p = new URLSearchParams(query);
  p.delete('v');
  return [...p.entries()].map(([k, v]) => `${k}=${v}`).sort().join('&');
}
