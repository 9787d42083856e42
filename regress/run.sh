#!/bin/sh
#
# Run the ATF suite under kyua and end with the line CI reads:
# "N passed, N failed". Exits non-zero when anything did not pass.

cd "$(dirname "$0")" || exit 1
rm -f results.db
kyua --logfile=kyua.log test --results-file=results.db >kyua.out 2>&1
cat kyua.out
# kyua prints one line per test case: "prog:case  ->  result  [time]".
passed=$(grep -c -- '->  passed' kyua.out)
skipped=$(grep -c -- '->  skipped' kyua.out)
failed=$(grep -- '->  ' kyua.out | grep -v -c -e '->  passed' \
    -e '->  skipped')
if [ "$failed" -ne 0 ]; then
	kyua report --results-file=results.db --verbose \
	    --results-filter=broken,failed 2>&1 | tail -n 200
fi
if [ "$passed" -eq 0 ]; then
	echo "no test passed: kyua did not run the suite" >&2
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
