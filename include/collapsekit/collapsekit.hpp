// collapsekit: measuring distribution drift and model collapse. Umbrella header: every
// public header, estimators first, then the generation-feedback driver built on them.
#pragma once

#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"

#include "bootstrap.hpp"
#include "bootstrap_cdf.hpp"
#include "budget_distinct.hpp"
#include "build_info.hpp"
#include "count_drift.hpp"
#include "divergence.hpp"
#include "energy_rows.hpp"
#include "entropy.hpp"
#include "gaussian.hpp"
#include "histogram.hpp"
#include "knn_divergence.hpp"
#include "neighbors.hpp"
#include "ngram.hpp"
#include "pairwise.hpp"
#include "sample_drift.hpp"
#include "sort.hpp"
#include "tail.hpp"
#include "wasserstein.hpp"

#include "feedback.hpp"
