module codexk8s/gooracle

go 1.19
