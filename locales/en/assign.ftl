# assign
