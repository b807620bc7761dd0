"""Training-step cases for benchmarks/bench_training.py, one module per kind of framework.

common.py holds the models' names, the MNIST batches and the timing; tf1_graphs.py builds the
examples' TF1 graphs on graphflow or on TensorFlow, and both Keras models; torch_models.py
builds the same models in PyTorch. Every builder returns a `step(images, labels) -> loss`.
"""
