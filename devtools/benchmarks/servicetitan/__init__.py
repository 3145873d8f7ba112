"""The integration core's `st_bench` sections: serving lists at scale, and what taking any value costs a page write."""

from devtools.benchmarks.servicetitan.record_problems import bench_record_problems
from devtools.benchmarks.servicetitan.serving import serving

BENCH_SECTIONS = {"serving": serving, "record_problems": bench_record_problems}
