"""The benchmark's three models in PyTorch, trained the way the TF1 graphs train them.

Same layers, initial learning rates, optimizers, L2 term (`1e-4 * sum(w**2) / 2` on the
regularized weights, as tf.contrib.layers.l2_regularizer) and moving averages (decay
`min(0.99, (1 + step) / (10 + step))`, as ExponentialMovingAverage with num_updates). The one
simplification: the learning rate stays at its initial value, where the TF1 graphs decay it
once an epoch, which costs nothing per step. LeNet-5 runs in NCHW, PyTorch's native layout.
"""

from __future__ import annotations

from training_cases.common import Step

REGULARIZATION_RATE = 1e-4
MOVING_AVERAGE_DECAY = 0.99


def make_step(model: str, threads: int) -> Step:
    """The training step of `model` (a key of common.MODELS) in PyTorch with `threads`."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if model == "chapter5":
        net = nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 10))
        regularized = [net[0].weight, net[2].weight]
        optimizer: torch.optim.Optimizer = torch.optim.SGD(net.parameters(), lr=0.8)
        image_shape = (-1, 784)
    elif model == "lenet5":
        net = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(7 * 7 * 64, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
        regularized = [net[7].weight, net[10].weight]
        optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
        image_shape = (-1, 1, 28, 28)
    elif model == "keras_mlp":
        net = nn.Sequential(nn.Linear(784, 500), nn.ReLU(), nn.Linear(500, 500), nn.ReLU(),
                            nn.Linear(500, 10))
        regularized = []
        optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
        image_shape = (-1, 784)
    else:
        raise ValueError(f"unknown model {model!r}")
    net.train()
    # keras_mlp has no moving averages, as examples.keras_mnist has none.
    averages = [] if model == "keras_mlp" else [p.detach().clone() for p in net.parameters()]
    updates = 0

    def step(images, labels):
        nonlocal updates
        x = torch.from_numpy(images).view(image_shape)
        target = torch.from_numpy(labels).argmax(dim=1)
        loss = nn.functional.cross_entropy(net(x), target)
        for weights in regularized:
            loss = loss + REGULARIZATION_RATE * weights.square().sum() / 2
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        updates += 1
        decay = min(MOVING_AVERAGE_DECAY, (1 + updates) / (10 + updates))
        with torch.no_grad():
            for average, parameter in zip(averages, net.parameters(), strict=False):
                average.lerp_(parameter, 1 - decay)
        return float(loss.item())

    return step
