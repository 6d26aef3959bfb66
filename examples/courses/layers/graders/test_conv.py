"""Hidden grader: a convolution layer and max pooling (10 points).

Written with the authoring API only (docs/authoring.md). The forward passes are compared
with the reference on shapes that exercise padding, strides that do not divide the
image, 1-sample and many-channel batches; the backward passes through check_layer,
which runs the student's forward and backward in the sandbox and, for a wrong gradient,
says whether it disagrees with the student's own forward pass or with the correct one.
Inputs are normal draws, so no pooling window holds a tie.
"""
import numpy as np
import pytest

from autograder.checks import Case, check_function, check_layer, check_pure, expect_tuple

# (N, C, H, W), (F, HH, WW), stride, pad: same-size padding, a stride of 2 that leaves a row
# unreached, and a non-square kernel on a non-square image.
CONV_SHAPES = [((2, 3, 5, 5), (4, 3, 3), 1, 1), ((1, 2, 7, 6), (3, 3, 2), 2, 0), ((2, 2, 8, 7), (3, 3, 3), 2, 1)]
# (N, C, H, W), size, stride: disjoint windows, overlapping windows, and a stride past the window.
POOL_SHAPES = [((2, 3, 4, 4), 2, 2), ((2, 2, 5, 6), 3, 1), ((2, 1, 7, 7), 3, 2)]


def conv_cases(rng):
    cases = []
    for (N, C, H, W), (F, HH, WW), stride, pad in CONV_SHAPES:
        cases.append(Case(rng.normal(size=(N, C, H, W)), rng.normal(size=(F, C, HH, WW)), rng.normal(size=F),
                          stride=stride, pad=pad))
    return cases


def pool_cases(rng, shift=0.0):
    return [Case(rng.normal(size=shape) + shift, size=size, stride=stride) for shape, size, stride in POOL_SHAPES]


def conv_hints(reference):
    def hints(x, w, b, stride=1, pad=0):
        late = np.pad(x, ((0, 0), (0, 0), (0, 2 * pad), (0, 2 * pad)))
        return {"out": {
            "the kernel is flipped (a true convolution): a convolution layer computes a cross-correlation, "
            "where w[f, c, i, j] meets the padded pixel (p * stride + i, q * stride + j).":
                reference.conv_forward(x, w[:, :, ::-1, ::-1], b, stride, pad)[0],
            "all the zero padding went after the image: pad `pad` zeros on each side of H and W.":
                reference.conv_forward(late, w, b, stride, 0)[0] if pad else None}}
    return hints


def pool_hints(reference):
    def hints(x, size=2, stride=2):
        return {"out": {"a window of negative numbers pooled to 0: start the running maximum from -inf (or the "
                        "window's first pixel), not from 0.": np.maximum(reference.max_pool_forward(x, size, stride)[0],
                                                                         0.0)}}
    return hints


def average_pool_backward(dout, x, size=2, stride=2):
    dx = np.zeros_like(x)
    for i in range(size):
        for j in range(size):
            dx[:, :, i:i + stride * dout.shape[2]:stride, j:j + stride * dout.shape[3]:stride] += dout / size ** 2
    return {"x": {"the gradient was spread evenly over each window (average pooling): max pooling sends each "
                  "window's gradient to its maximum alone.": dx}}


def conv_db_hint(dout, x, w, b, stride=1, pad=0):
    return {"b": {"db was averaged over the samples: it sums dout over the samples and every output position.":
                  dout.sum(axis=(0, 2, 3)) / dout.shape[0]}} if dout.shape[0] > 1 else {}


@pytest.mark.points(3, visibility="visible")
def test_conv_forward_cross_correlates_the_padded_input(student, reference, make_rng):
    """conv_forward pads, strides and cross-correlates as the reference does"""
    check_function(student.conv.conv_forward, reference.conv_forward, conv_cases(make_rng(1)),
                   returns=("out", None), pure=False, hints=conv_hints(reference))


@pytest.mark.points(3, visibility="hidden")
def test_conv_backward_gives_dx_dw_db(student, reference, make_rng, grading_seed):
    """conv_backward gives the gradients of x, w and b"""
    for case in conv_cases(make_rng(2)):
        check_layer(student.conv.conv_forward, student.conv.conv_backward, reference.conv_forward,
                    reference.conv_backward, case, seed=grading_seed, hints=conv_db_hint)


@pytest.mark.points(1.5, visibility="hidden")
def test_max_pool_forward_takes_each_windows_maximum(student, reference, make_rng):
    """max_pool_forward takes the maximum of every window, negative windows included"""
    rng = make_rng(3)
    check_function(student.conv.max_pool_forward, reference.max_pool_forward,
                   [*pool_cases(rng), *pool_cases(rng, shift=-1.5)], returns=("out", None), pure=False,
                   hints=pool_hints(reference))


@pytest.mark.points(1.5, visibility="hidden")
def test_max_pool_backward_routes_to_the_maximum(student, reference, make_rng, grading_seed):
    """max_pool_backward sends each window's gradient to its maximum, adding up where windows overlap"""
    for case in pool_cases(make_rng(4)):
        check_layer(student.conv.max_pool_forward, student.conv.max_pool_backward, reference.max_pool_forward,
                    reference.max_pool_backward, case, seed=grading_seed, hints=average_pool_backward)


@pytest.mark.points(1, visibility="visible")
def test_no_function_modifies_its_arguments(student, make_rng):
    """the four functions leave their arguments unchanged"""
    rng = make_rng(5)
    conv, pool = conv_cases(rng)[0], pool_cases(rng)[1]
    check_pure(student.conv.conv_forward, [conv], names=["x", "w", "b"])
    check_pure(student.conv.max_pool_forward, [pool], names=["x"])
    out, cache = expect_tuple(student.conv.conv_forward(*conv.args, **conv.kwargs), 2, name="conv_forward")
    check_pure(student.conv.conv_backward, [Case(np.ones(np.shape(out)), cache)], names=["dout", "cache"])
    out, cache = expect_tuple(student.conv.max_pool_forward(*pool.args, **pool.kwargs), 2, name="max_pool_forward")
    check_pure(student.conv.max_pool_backward, [Case(np.ones(np.shape(out)), cache)], names=["dout", "cache"])
