#!/bin/sh
# make.sh writes the .xlsx test workbooks of this directory from the sources
# in src/ with LibreOffice Calc, a real spreadsheet program, headless:
#
#	apt-get install -y --no-install-recommends libreoffice-calc
#	sh batch/xlsx/testdata/make.sh
#
# The .xlsx files are committed; the tests read them and do not need
# LibreOffice. Run it again after changing a source, and commit both.
#
#   accounts.fods  two sheets; the first has text, number cells (phone
#                  numbers without their +, one shown in scientific format),
#                  a date and formulas in text columns, a blank row
#   sample.csv     examples/batchimport/testdata/sample.csv, as Calc opens it
#                  (numbers it recognizes become number cells)
#   crlf.csv       CRLF line ends and a cell with a CRLF line break inside
#   template.csv   the portal's template (batchimport -template), Note included
#   bench1000.csv  batchtest.GenerateCSV(1000), the rows of the benchmarks
set -eu
cd "$(dirname "$0")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# CSV import filter: comma, double quote, UTF-8 (76), from line 1.
soffice -env:UserInstallation=file://"$profile" --headless --infilter=CSV:44,34,76,1 \
	--convert-to xlsx:"Calc MS Excel 2007 XML" --outdir . src/sample.csv src/crlf.csv src/template.csv src/bench1000.csv
soffice -env:UserInstallation=file://"$profile" --headless \
	--convert-to xlsx:"Calc MS Excel 2007 XML" --outdir . src/accounts.fods
# examples/batchimport reads the sample and the template as workbooks too.
cp sample.xlsx ../../../examples/batchimport/testdata/sample.xlsx
cp template.xlsx ../../../examples/batchimport/testdata/template_note_left_in.xlsx
