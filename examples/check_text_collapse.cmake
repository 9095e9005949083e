# Runs text_collapse as a user would, on the suite's small texts, and checks what it wrote.
#   cmake -DEXE=<text_collapse> -DFIXTURES=<tests/fixtures> -DWORK=<scratch dir>
#         [-DGZIP=ON] -P check_text_collapse.cmake
# The text is the US Declaration of Independence (1776, public domain), wrapped at 88
# columns with blank lines between paragraphs; the JSONL file holds its paragraphs as
# records among other fields, plus one original line with JSON escapes.
cmake_minimum_required(VERSION 3.18)  # file(ARCHIVE_CREATE ... FORMAT raw)

set(text ${FIXTURES}/declaration_of_independence.txt)
set(jsonl ${FIXTURES}/declaration_of_independence.jsonl)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(small --generations 3 --replicates 2 --samples 40 --seed 5)

# run(<name> <expected exit status> args...): the output is in <name>_out / <name>_err.
function(run name expect)
  execute_process(COMMAND ${EXE} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expect}")
    message(FATAL_ERROR "${name}: exit status ${rc}, expected ${expect}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(${name}_out "${out}" PARENT_SCOPE)
  set(${name}_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_match name what regex)
  if(NOT "${what}" MATCHES "${regex}")
    message(FATAL_ERROR "${name}: no match for '${regex}' in:\n${what}")
  endif()
endfunction()

# Paragraphs, every output, progress as plain lines (stderr is not a terminal here).
run(paragraphs 0 ${text} --docs paragraphs ${small} --csv ${WORK}/m.csv --summary-csv ${WORK}/s.csv
    --samples-out ${WORK}/samples --show 3)
expect_match(paragraphs "${paragraphs_out}" "33 documents \\(separated by blank lines\\)")
expect_match(paragraphs "${paragraphs_out}" "10% human\ngeneration +dist-1")
expect_match(paragraphs "${paragraphs_err}" "6/6 generations in")
file(READ ${WORK}/m.csv csv)
expect_match(csv "${csv}" "^lineage,replicate,generation,metric,value\nplain,0,0,distinct_1,")
expect_match(csv "${csv}" "\n10% human,1,2,kl_step,")
file(READ ${WORK}/s.csv summary)
expect_match(summary "${summary}" "^lineage,generation,metric,mean,standard_error,n\nplain,0,distinct_1,[0-9.e-]+,[0-9.e-]+,2\n")
file(READ ${WORK}/samples/top-p_0.9.txt nucleus)
expect_match(samples "${nucleus}" "replicate 0: the first 3 documents")
expect_match(samples "${nucleus}" "\n== generation 2 ==\n[a-z]")
file(READ ${WORK}/samples/human.txt human)
expect_match(samples "${human}" "[a-z]+, [a-z]+")  # punctuation joined back to words

# --corpus-out: the whole corpus and every document of each generation, one per line
# (40 documents per generation here), beside --samples-out's digest.
run(corpora 0 ${text} --docs paragraphs ${small} --quiet --corpus-out ${WORK}/corpora --samples-out ${WORK}/digest
    --show 2)
expect_match(corpora "${corpora_out}" "wrote .*/corpora/human.txt and <lineage>_gen<t>.txt")
file(STRINGS ${WORK}/corpora/human.txt human_docs)
list(LENGTH human_docs n_human)
file(STRINGS ${WORK}/corpora/plain_gen2.txt gen2_docs)
list(LENGTH gen2_docs n_gen2)
if(NOT n_human EQUAL 33 OR NOT n_gen2 EQUAL 40 OR NOT EXISTS ${WORK}/corpora/10_human_gen0.txt)
  message(FATAL_ERROR "--corpus-out: ${n_human} human documents (33 expected), ${n_gen2} in plain_gen2.txt (40)")
endif()
# The digest shows the first documents of the same run.
list(GET gen2_docs 0 first_gen2)
file(READ ${WORK}/digest/plain.txt digest)
string(FIND "${digest}" "== generation 2 ==\n${first_gen2}\n" at)
if(at EQUAL -1)
  message(FATAL_ERROR "--samples-out's generation 2 does not start with plain_gen2.txt's first document")
endif()

# --samples-out reruns replicate 0 alone and shows its documents as those behind the
# tables: replicate 0 of a one-replicate run must be replicate 0 of the two-replicate run.
run(one 0 ${text} --docs paragraphs ${small} --replicates 1 --quiet --csv ${WORK}/one.csv)
file(STRINGS ${WORK}/m.csv two_rows)
file(STRINGS ${WORK}/one.csv one_rows)
list(FILTER two_rows INCLUDE REGEX "^[^,]*,0,")
list(FILTER one_rows INCLUDE REGEX "^[^,]*,0,")
list(LENGTH one_rows n_one)
if(n_one LESS 50 OR NOT one_rows STREQUAL two_rows)
  message(FATAL_ERROR "replicate 0 differs between --replicates 1 and --replicates 2 (${n_one} rows)")
endif()

# The thread count changes nothing; lines are the default unit.
run(lines1 0 ${text} ${small} --threads 1 --quiet --csv ${WORK}/t1.csv)
run(lines2 0 ${text} ${small} --threads 2 --quiet --csv ${WORK}/t2.csv)
expect_match(lines1 "${lines1_out}" "113 documents \\(one per line\\)")
if(NOT lines1_err STREQUAL "")
  message(FATAL_ERROR "--quiet still wrote to stderr:\n${lines1_err}")
endif()
file(READ ${WORK}/t1.csv t1)
file(READ ${WORK}/t2.csv t2)
if(NOT t1 STREQUAL t2)
  message(FATAL_ERROR "text_collapse: --threads 1 and --threads 2 wrote different tables")
endif()

# JSONL (chosen by the name), sentences.
run(jsonl 0 ${jsonl} ${small} --quiet --sentences)
expect_match(jsonl "${jsonl_out}" "documents \\(JSONL field 'text', cut into sentences\\)")

# Gzip, recognised by content whatever the name: the same tables as the plain file.
if(GZIP)
  file(COPY_FILE ${text} ${WORK}/declaration.txt)
  file(ARCHIVE_CREATE OUTPUT ${WORK}/declaration.txt.gz PATHS ${WORK}/declaration.txt FORMAT raw
       COMPRESSION GZip)
  run(gz 0 ${WORK}/declaration.txt.gz --docs paragraphs ${small} --quiet)
  string(REGEX REPLACE "^[^\n]*\n" "" gz_tables "${gz_out}")
  string(REGEX REPLACE "^[^\n]*\n" "" plain_tables "${paragraphs_out}")
  string(REGEX REPLACE "\n\nwrote.*" "\n" plain_tables "${plain_tables}")
  if(NOT gz_tables STREQUAL plain_tables)
    message(FATAL_ERROR "gzip input gave other tables:\n${gz_tables}\nplain:\n${plain_tables}")
  endif()
endif()

# Bad input and usage: exit status 2 and a message naming the file and the line.
run(bad_json 2 ${FIXTURES}/text_collapse_bad.jsonl ${small})
expect_match(bad_json "${bad_json_err}" "text_collapse_bad.jsonl:3: column [0-9]+: the line ends inside a string")
run(no_field 2 ${jsonl} --field body ${small})
expect_match(no_field "${no_field_err}" "declaration_of_independence.jsonl:1: the object has no field 'body'")
run(missing 2 ${WORK}/no_such_file.txt)
expect_match(missing "${missing_err}" "no_such_file.txt: cannot be opened")
file(WRITE ${WORK}/blank.txt "\n  \n\t\n")
run(blank 2 ${WORK}/blank.txt)
expect_match(blank "${blank_err}" "blank.txt: no documents")
run(bad_option 2 ${text} --orderr 2)
expect_match(bad_option "${bad_option_err}" "unknown option --orderr")
run(bad_number 2 ${text} --generations ten)
expect_match(bad_number "${bad_number_err}" "--generations needs a non-negative whole number")
run(bad_order 2 ${text} --order 7 --quiet)
expect_match(bad_order "${bad_order_err}" "order must lie in 1..4")
