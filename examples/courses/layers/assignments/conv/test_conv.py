"""Public tests for conv: run them with `autograder check` in this folder.

Every example is small enough to check by hand; the comments say how each expected value
comes about.
"""
import numpy as np

from autograder.checks import expect_array, expect_tuple

# one sample, one channel, a 3x3 image: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
X = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
# one 2x2 filter: top-left pixel minus bottom-right pixel
W_DIAG = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
# two 3x3 filters: the sum of the window, and its centre pixel alone
W_SUM_CENTRE = np.stack([np.ones((1, 3, 3)), np.pad(np.ones((1, 1, 1)), ((0, 0), (1, 1), (1, 1)))])


def test_conv_forward_on_a_3x3_image(student):
    """conv_forward with a 2x2 filter, stride 1, no padding"""
    out, _ = expect_tuple(student.conv.conv_forward(X, W_DIAG, np.array([0.5])), 2, name="conv_forward(x, w, b)",
                          parts="out, cache")
    # every window: x[p, q] - x[p + 1, q + 1] + 0.5 = -4 + 0.5 (a flipped kernel would give +4.5)
    expect_array(out, np.full((1, 1, 2, 2), -3.5), name="out of conv_forward(x, w, b=[0.5])",
                 inputs="x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 0], [0, -1]]")


def test_conv_forward_with_padding_and_stride(student):
    """conv_forward with pad=1 and stride=2: two filters, output 2x2"""
    out, _ = expect_tuple(student.conv.conv_forward(X, W_SUM_CENTRE, np.array([0.0, 1.0]), stride=2, pad=1), 2,
                          name="conv_forward(x, w, b, stride=2, pad=1)", parts="out, cache")
    # 1 + (3 + 2 - 3) // 2 = 2 windows a side, centred on the corners of x.
    # Filter 0 sums each window: the 2x2 block at each corner of x (the rest is padding).
    # Filter 1 picks the centre of each window, a corner of x, plus its bias 1.
    expected = np.array([[[[12.0, 16.0], [24.0, 28.0]],
                          [[2.0, 4.0], [8.0, 10.0]]]])
    expect_array(out, expected, name="out of conv_forward(x, w, b, stride=2, pad=1)",
                 inputs="x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [ones(3, 3), centre pixel], b = [0, 1]")


def test_conv_backward_on_a_3x3_image(student):
    """conv_backward with dout = 1 everywhere (2x2 filter, stride 1)"""
    _, cache = expect_tuple(student.conv.conv_forward(X, W_DIAG, np.array([0.5])), 2, name="conv_forward(x, w, b)",
                            parts="out, cache")
    dx, dw, db = expect_tuple(student.conv.conv_backward(np.ones((1, 1, 2, 2)), cache), 3,
                              name="conv_backward(dout, cache)", parts="dx, dw, db")
    inputs = "dout = ones((1, 1, 2, 2)) after conv_forward(x = [[1, ..., 9]], w = [[1, 0], [0, -1]])"
    # dx[r, c]: +1 per window with (r, c) as its top-left pixel, -1 per window with it bottom-right
    expect_array(dx, np.array([[[[1.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, -1.0, -1.0]]]]), name="dx",
                 inputs=inputs)
    # dw[i, j]: the sum of the pixels that meet w[i, j], the 2x2 block of x starting at (i, j)
    expect_array(dw, np.array([[[[12.0, 16.0], [24.0, 28.0]]]]), name="dw", inputs=inputs)
    # db: the sum of dout, 4 windows
    expect_array(db, np.array([4.0]), name="db", inputs=inputs)


def test_conv_backward_with_padding_and_stride(student):
    """conv_backward with pad=1 and stride=2: dx has the shape of x, without the padding"""
    _, cache = expect_tuple(student.conv.conv_forward(X, W_SUM_CENTRE, np.array([0.0, 1.0]), stride=2, pad=1), 2,
                            name="conv_forward(x, w, b, stride=2, pad=1)", parts="out, cache")
    dx, dw, db = expect_tuple(student.conv.conv_backward(np.ones((1, 2, 2, 2)), cache), 3,
                              name="conv_backward(dout, cache)", parts="dx, dw, db")
    inputs = "dout = ones((1, 2, 2, 2)) after conv_forward(x, w = [ones(3, 3), centre pixel], stride=2, pad=1)"
    # filter 0 covers the middle row and column twice, the centre four times: [1, 2, 1] x [1, 2, 1];
    # filter 1 adds 1 at the four corners, the centres of the windows
    expect_array(dx, np.array([[[[2.0, 2.0, 2.0], [2.0, 4.0, 2.0], [2.0, 2.0, 2.0]]]]), name="dx", inputs=inputs)
    # dw[f, 0, i, j]: the four pixels of padded x at (2p + i, 2q + j), the same for both filters
    one = np.array([[5.0, 10.0, 5.0], [10.0, 20.0, 10.0], [5.0, 10.0, 5.0]])
    expect_array(dw, np.stack([one, one])[:, None], name="dw", inputs=inputs)
    expect_array(db, np.array([4.0, 4.0]), name="db", inputs=inputs)


# a 4x4 image of distinct values: the maxima of its 2x2 blocks are 6, 8, 14 and 16, each at a
# different place in its block
P = np.array([[[[1.0, 6.0, 3.0, 2.0],
                [5.0, 4.0, 8.0, 7.0],
                [14.0, 9.0, 10.0, 16.0],
                [13.0, 12.0, 11.0, 15.0]]]])


def test_max_pool_forward_on_a_4x4_image(student):
    """max_pool_forward with 2x2 windows and stride 2"""
    out, _ = expect_tuple(student.conv.max_pool_forward(P, 2, 2), 2, name="max_pool_forward(x, 2, 2)",
                          parts="out, cache")
    expect_array(out, np.array([[[[6.0, 8.0], [14.0, 16.0]]]]), name="out of max_pool_forward(x, size=2, stride=2)",
                 inputs="the 4x4 image of the test")


def test_max_pool_forward_overlapping_windows(student):
    """max_pool_forward with 3x3 windows and stride 1: output 2x2"""
    out, _ = expect_tuple(student.conv.max_pool_forward(P, 3, 1), 2, name="max_pool_forward(x, 3, 1)",
                          parts="out, cache")
    expect_array(out, np.array([[[[14.0, 16.0], [14.0, 16.0]]]]), name="out of max_pool_forward(x, size=3, stride=1)",
                 inputs="the 4x4 image of the test")


def test_max_pool_backward_routes_to_the_maximum(student):
    """max_pool_backward sends each window's gradient to its maximum"""
    _, cache = expect_tuple(student.conv.max_pool_forward(P, 2, 2), 2, name="max_pool_forward(x, 2, 2)",
                            parts="out, cache")
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 0, 1], expected[0, 0, 1, 2], expected[0, 0, 2, 0], expected[0, 0, 2, 3] = 1.0, 2.0, 3.0, 4.0
    expect_array(student.conv.max_pool_backward(dout, cache), expected, name="max_pool_backward(dout, cache)",
                 inputs="dout = [[1, 2], [3, 4]] after max_pool_forward(x, size=2, stride=2)")


def test_max_pool_backward_overlapping_windows_add_up(student):
    """max_pool_backward adds up the gradients of overlapping windows that share a maximum"""
    _, cache = expect_tuple(student.conv.max_pool_forward(P, 3, 1), 2, name="max_pool_forward(x, 3, 1)",
                            parts="out, cache")
    dout = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    # 14 (at row 2, column 0) is the maximum of the two left windows: 1 + 3;
    # 16 (at row 2, column 3) of the two right ones: 2 + 4
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 2, 0], expected[0, 0, 2, 3] = 4.0, 6.0
    expect_array(student.conv.max_pool_backward(dout, cache), expected, name="max_pool_backward(dout, cache)",
                 inputs="dout = [[1, 2], [3, 4]] after max_pool_forward(x, size=3, stride=1)")
