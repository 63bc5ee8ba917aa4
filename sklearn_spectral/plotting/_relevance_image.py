"""RelevanceImageDisplay: the input relevance of image-shaped inputs."""

import numpy as np

from ._helpers import get_ax, importances_of, merge_style, pyplot, selector_info


class RelevanceImageDisplay:
    """Input relevance of image-shaped inputs, as an image with a colorbar.

    Each pixel shows the relevance of the input feature at that position,
    as in the first paper's MNIST figure.

    Parameters
    ----------
    relevance_image : array-like of shape (height, width)
        Relevance of each pixel.
    threshold : float or None, default=None
        Selection threshold, marked on the colorbar.

    Attributes
    ----------
    ax_ : matplotlib.axes.Axes
        Axes with the image.
    figure_ : matplotlib.figure.Figure
        Figure containing the image.
    im_ : matplotlib.image.AxesImage
        The image.
    colorbar_ : matplotlib.colorbar.Colorbar or None
        The colorbar, when drawn.
    threshold_line_ : matplotlib.lines.Line2D or None
        The threshold mark on the colorbar.

    See Also
    --------
    RelevanceDisplay : The same relevance as a sorted bar chart.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_spectral.plotting import RelevanceImageDisplay
    >>> display = RelevanceImageDisplay(np.eye(8)).plot()
    >>> display.im_.get_array().shape
    (8, 8)
    """

    def __init__(self, relevance_image, *, threshold=None):
        self.relevance_image = relevance_image
        self.threshold = threshold

    def plot(
        self,
        ax=None,
        *,
        cmap="viridis",
        colorbar=True,
        log_scale=False,
        imshow_kw=None,
        threshold_kw=None,
    ):
        """Draw the relevance image.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        cmap : str or matplotlib.colors.Colormap, default="viridis"
            Colormap.
        colorbar : bool, default=True
            Whether to draw a colorbar.
        log_scale : bool, default=False
            Logarithmic colour scale; pixels of relevance exactly 0 are then
            drawn in the colormap's "under" colour (black).
        imshow_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.imshow`.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold mark on the colorbar
            (:meth:`matplotlib.axes.Axes.axhline`).

        Returns
        -------
        display : RelevanceImageDisplay
            The object, with the artists stored as attributes.
        """
        plt = pyplot("RelevanceImageDisplay.plot")
        from matplotlib.colors import LogNorm

        ax = get_ax(ax, "RelevanceImageDisplay.plot")
        image = np.asarray(self.relevance_image, dtype=np.float64)
        if image.ndim != 2:
            raise ValueError(f"relevance_image must be 2-D, got shape {image.shape}.")
        default = {"cmap": cmap, "interpolation": "nearest"}
        if log_scale:
            positive = image[image > 0]
            default["cmap"] = plt.get_cmap(cmap).with_extremes(under="black")
            if positive.size:
                default["norm"] = LogNorm(vmin=positive.min(), vmax=positive.max())
        else:
            default["vmin"] = 0.0
            if not np.any(image > 0):
                default["vmax"] = 1.0  # every input switched off: all dark
        self.im_ = ax.imshow(image, **merge_style(default, imshow_kw))
        ax.set_xticks([])
        ax.set_yticks([])
        self.colorbar_ = None
        self.threshold_line_ = None
        if colorbar:
            self.colorbar_ = ax.figure.colorbar(
                self.im_, ax=ax, extend="min" if log_scale else "neither"
            )
            self.colorbar_.set_label("relevance")
            if self.threshold is not None:
                self.threshold_line_ = self.colorbar_.ax.axhline(
                    self.threshold,
                    **merge_style({"color": "tab:red", "linewidth": 2}, threshold_kw),
                )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        image_shape=None,
        threshold=None,
        ax=None,
        cmap="viridis",
        colorbar=True,
        log_scale=False,
        imshow_kw=None,
        threshold_kw=None,
    ):
        """Plot the relevance of a fitted model or selector as an image.

        Parameters
        ----------
        estimator : estimator
            A fitted spectral model, selector, or Pipeline ending in one;
            its ``feature_importances_`` are reshaped to ``image_shape``.
        image_shape : tuple of int or None, default=None
            ``(height, width)``; when None the features must form a square
            (e.g. 64 features for the 8x8 digits).
        threshold : float or None, default=None
            Threshold to mark on the colorbar; defaults to a selector's
            ``threshold_``.
        ax : matplotlib.axes.Axes or None, default=None
            Axes to draw on; a new figure is created when None.
        cmap : str or matplotlib.colors.Colormap, default="viridis"
            Colormap.
        colorbar : bool, default=True
            Whether to draw a colorbar.
        log_scale : bool, default=False
            Logarithmic colour scale.
        imshow_kw : dict or None, default=None
            Keyword arguments for :meth:`matplotlib.axes.Axes.imshow`.
        threshold_kw : dict or None, default=None
            Keyword arguments for the threshold mark on the colorbar.

        Returns
        -------
        display : RelevanceImageDisplay
            The drawn display.
        """
        importances = importances_of(estimator)
        n_features = importances.size
        if image_shape is None:
            side = int(round(np.sqrt(n_features)))
            if side * side != n_features:
                raise ValueError(
                    f"{n_features} features do not form a square image; pass "
                    "image_shape=(height, width)."
                )
            image_shape = (side, side)
        image_shape = tuple(int(s) for s in image_shape)
        if int(np.prod(image_shape)) != n_features:
            raise ValueError(
                f"image_shape={image_shape} does not hold {n_features} features."
            )
        if threshold is None:
            threshold = selector_info(estimator)[0]
        display = cls(importances.reshape(image_shape), threshold=threshold)
        return display.plot(
            ax=ax,
            cmap=cmap,
            colorbar=colorbar,
            log_scale=log_scale,
            imshow_kw=imshow_kw,
            threshold_kw=threshold_kw,
        )
