// Token-id n-gram counting and diversity measures at corpus scale (umbrella header).
//
// ck::corpus holds 32-bit token ids and document offsets; nothing here lets an n-gram
// span two documents. See docs/ngram.md for every definition.
#pragma once

#include "ngram/corpus.hpp"
#include "ngram/counts.hpp"
#include "ngram/flat_hash.hpp"
#include "ngram/hyperloglog.hpp"
#include "ngram/information.hpp"
#include "ngram/keys.hpp"
#include "ngram/measures.hpp"
#include "ngram/self_bleu.hpp"
#include "ngram/tokenizer.hpp"
