"""The baseline: the course notebooks' own straightforward NumPy code for the 3-layer nets.

As the notebooks write it: explicit z1, a1, ... per layer, dicts of parameters, the cost computed every
iteration, a fresh array for every intermediate. TrainLab's engine is timed against this in the same run.
"""

import math

import numpy as np


def relu(x):
    return np.maximum(0, x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def initialize_parameters(layer_dims, scale, seed=3):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * scale(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def forward_propagation(X, parameters, keep_prob=1.0):
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    if keep_prob < 1:
        np.random.seed(1)
    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = None
    if keep_prob < 1:
        D1 = np.random.rand(A1.shape[0], A1.shape[1])
        D1 = D1 < keep_prob
        A1 = A1 * D1
        A1 = A1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = None
    if keep_prob < 1:
        D2 = np.random.rand(A2.shape[0], A2.shape[1])
        D2 = D2 < keep_prob
        A2 = A2 * D2
        A2 = A2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def compute_cost(A3, Y, parameters, lambd=0.0):
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1.0 / m * np.nansum(logprobs)
    if lambd:
        W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
        cost += 1.0 / m * lambd / 2 * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return cost


def backward_propagation(X, Y, cache, lambd=0.0, keep_prob=1.0):
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    if keep_prob < 1:
        dA2 = dA2 * D2
        dA2 = dA2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    if keep_prob < 1:
        dA1 = dA1 * D1
        dA1 = dA1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    for l in range(L):
        for p in ("W", "b"):
            key, dkey = p + str(l + 1), "d" + p + str(l + 1)
            v[dkey] = beta1 * v[dkey] + (1 - beta1) * grads[dkey]
            v_corrected = v[dkey] / (1 - beta1**t)
            s[dkey] = beta2 * s[dkey] + (1 - beta2) * np.power(grads[dkey], 2)
            s_corrected = s[dkey] / (1 - beta2**t)
            parameters[key] = parameters[key] - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return parameters, v, s


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete_minibatches = math.floor(m / mini_batch_size)
    for k in range(num_complete_minibatches):
        mini_batch_X = shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batch_Y = shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    if m % mini_batch_size != 0:
        mini_batch_X = shuffled_X[:, num_complete_minibatches * mini_batch_size : m]
        mini_batch_Y = shuffled_Y[:, num_complete_minibatches * mini_batch_size : m]
        mini_batches.append((mini_batch_X, mini_batch_Y))
    return mini_batches


def model(X, Y, layer_dims, scale, learning_rate, epochs, lambd=0.0, keep_prob=1.0, adam=False, mini_batch_size=None):
    """Train as the notebooks do; returns the parameters and the costs every 1000 epochs."""
    parameters = initialize_parameters(layer_dims, scale)
    v = {"d" + k: np.zeros_like(p) for k, p in parameters.items()}
    s = {"d" + k: np.zeros_like(p) for k, p in parameters.items()}
    t, seed, costs = 0, 10, {}
    for i in range(epochs):
        if mini_batch_size is None:
            minibatches = [(X, Y)]
        else:
            seed = seed + 1
            minibatches = random_mini_batches(X, Y, mini_batch_size, seed)
        for minibatch_X, minibatch_Y in minibatches:
            a3, cache = forward_propagation(minibatch_X, parameters, keep_prob)
            cost = compute_cost(a3, minibatch_Y, parameters, lambd)
            grads = backward_propagation(minibatch_X, minibatch_Y, cache, lambd, keep_prob)
            if adam:
                t = t + 1
                parameters, v, s = update_parameters_with_adam(parameters, grads, v, s, t, learning_rate)
            else:
                parameters = update_parameters_with_gd(parameters, grads, learning_rate)
        if i % 1000 == 0:
            costs[i] = cost
    return parameters, costs


# ---------------------------------------------------------------- the L-layer model (C1W4: the cat classifier)
# As "Building your Deep Neural Network: Step by Step" writes it: a cache per layer, and L_model_backward computes
# dA_prev for every layer, the input's dA0 too, which nothing uses: on wide inputs it is a third product the size
# of the first layer's two.


def initialize_parameters_deep(layer_dims, seed=1):
    np.random.seed(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_activation_forward(A_prev, W, b, activation):
    Z = np.dot(W, A_prev) + b
    if activation == "sigmoid":
        A = sigmoid(Z)
    elif activation == "relu":
        A = relu(Z)
    else:
        A = np.tanh(Z)
    return A, ((A_prev, W, b), Z)


def L_model_forward(X, parameters, activation):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], activation)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost_deep(AL, Y):
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return np.squeeze(cost)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1 / m * np.dot(dZ, A_prev.T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "relu":
        dZ = np.array(dA, copy=True)
        dZ[Z <= 0] = 0
    elif activation == "sigmoid":
        s = 1 / (1 + np.exp(-Z))
        dZ = dA * s * (1 - s)
    else:
        dZ = dA * (1 - np.tanh(Z) ** 2)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches, activation):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dA_prev, dW, db = linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = dA_prev, dW, db
    for l in reversed(range(L - 1)):
        dA_prev, dW, db = linear_activation_backward(grads["dA" + str(l + 1)], caches[l], activation)
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = dA_prev, dW, db
    return grads


def L_layer_model(X, Y, layers_dims, learning_rate, num_iterations, activation="relu"):
    """The course's L_layer_model: batch gradient descent; returns the parameters and the costs every 100."""
    parameters = initialize_parameters_deep(layers_dims)
    costs = {}
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, activation)
        cost = compute_cost_deep(AL, Y)
        grads = L_model_backward(AL, Y, caches, activation)
        parameters = update_parameters_with_gd(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs[i] = cost
    return parameters, costs
