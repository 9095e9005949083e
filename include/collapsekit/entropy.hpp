// Entropy estimators: of probability vectors (Shannon, Renyi, Tsallis, Hill numbers,
// Gini-Simpson), of counts (plug-in, Miller-Madow, Grassberger, Chao-Shen,
// James-Stein, NSB, with standard errors and bootstrap intervals), of continuous
// samples (histogram, Vasicek, Kozachenko-Leonenko k-NN), and a mergeable accumulator.
#pragma once

#include "entropy/accumulator.hpp"
#include "entropy/continuous.hpp"
#include "entropy/counts.hpp"
#include "entropy/discrete.hpp"
#include "entropy/estimator.hpp"
#include "entropy/nsb.hpp"
