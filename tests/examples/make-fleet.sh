#!/bin/sh
# Makes a fleet of git repositories from the bundled examples, to try runs over many
# repositories:  sh tests/examples/make-fleet.sh DIR N
# creates DIR/app-01 … DIR/app-N (TypeScript and Python projects in turn) and repos.txt.
set -eu
dir=$1
count=$2
here=$(dirname "$0")
mkdir -p "$dir"
: > repos.txt
i=1
while [ "$i" -le "$count" ]; do
  repo="$dir/app-$(printf '%02d' "$i")"
  if [ $((i % 2)) -eq 1 ]; then example=broken-typescript; else example=broken-python; fi
  mkdir -p "$repo"
  cp -R "$here/$example/." "$repo/"
  git -C "$repo" init -q
  git -C "$repo" add -A
  git -C "$repo" commit -q -m "Initial"
  echo "$repo" >> repos.txt
  i=$((i + 1))
done
echo "made $count repositories in $dir, listed in repos.txt"
