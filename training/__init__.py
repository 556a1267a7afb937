"""Code the training scripts share: the sample streams, the loss and the learning-rate schedule.

Not part of the product: the backend never imports it (training needs torch's data loading and the
full data set beside the repository, ../shared/data).
"""
