// The generation-feedback driver, its policies, models, metrics and output table.
#pragma once

#include "feedback/driver.hpp"
#include "feedback/metric.hpp"
#include "feedback/metrics.hpp"
#include "feedback/policy.hpp"
#include "feedback/provenance.hpp"
#include "feedback/table.hpp"

#include "feedback/models/categorical.hpp"
#include "feedback/models/controls.hpp"
#include "feedback/models/gaussian.hpp"
#include "feedback/models/gmm.hpp"
#include "feedback/models/kde.hpp"
#include "feedback/models/ngram_lm.hpp"

#include "feedback/text.hpp"
