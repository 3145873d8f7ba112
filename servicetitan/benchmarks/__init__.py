"""The integration core's `st_bench` sections: serving lists at scale, and what taking any value costs a page write."""

from servicetitan.benchmarks.record_problems import bench_record_problems
from servicetitan.benchmarks.serving import serving

BENCH_SECTIONS = {"serving": serving, "record_problems": bench_record_problems}
